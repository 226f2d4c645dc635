package searchidx.scaleout;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * A SolrCloud cluster on loopback: N Solr nodes (Jetty, context /solr) and an embedded ZooKeeper, all in this
 * JVM (MiniSolrCloudCluster from solr-test-framework). Used by scaleout/solr/cluster.sh.
 *
 * <p>Once ready it writes STATE/solr.url and STATE/control.port and prints SOLR_URL=... on stdout. A control
 * server on 127.0.0.1:control.port lets scripts and tests stop and restart one node (fault tests) and shut the
 * cluster down: GET /nodes, /stop?node=I, /start?node=I, /memory, /shutdown.
 */
public final class SolrCluster {
  private SolrCluster() {}

  public static void main(String[] args) throws Exception {
    int nodes = 2;
    Path state = Path.of("state");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--nodes" -> nodes = Integer.parseInt(args[++i]);
        case "--state" -> state = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path data = state.resolve("data");
    Files.createDirectories(data);
    System.setProperty("host", "127.0.0.1");
    MiniSolrCloudCluster cluster = new MiniSolrCloudCluster.Builder(nodes, data).build();
    List<JettySolrRunner> jettys = new ArrayList<>(cluster.getJettySolrRunners());
    List<Integer> ports = new ArrayList<>();
    for (JettySolrRunner j : jettys) {
      ports.add(j.getLocalPort());
    }
    List<JettySolrRunner> restarted = new ArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> close(cluster, restarted)));

    HttpServer control = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    control.createContext("/nodes", ex -> reply(ex, 200, nodes(jettys)));
    control.createContext("/stop", ex -> {
      try {
        JettySolrRunner j = jettys.get(nodeParam(ex));
        if (j.isRunning()) {
          j.stop();
          cluster.waitForJettyToStop(j);
        }
        reply(ex, 200, nodes(jettys));
      } catch (Exception e) {
        reply(ex, 500, e.toString() + "\n");
      }
    });
    control.createContext("/start", ex -> {
      try {
        int node = nodeParam(ex);
        JettySolrRunner old = jettys.get(node);
        if (!old.isRunning()) {
          // A new runner on the same Solr home and port: the same node name, so its replicas come back.
          JettySolrRunner j = new JettySolrRunner(old.getSolrHome(), old.getNodeProperties(),
              JettyConfig.builder().setContext("/solr").setPort(ports.get(node)).stopAtShutdown(true).build());
          j.start();
          jettys.set(node, j);
          restarted.add(j);
          cluster.waitForNode(j, 60);
        }
        reply(ex, 200, nodes(jettys));
      } catch (Exception e) {
        reply(ex, 500, e.toString() + "\n");
      }
    });
    control.createContext("/memory", ex -> {
      System.gc();
      MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
      reply(ex, 200, "heap_used=" + mem.getHeapMemoryUsage().getUsed()
          + " heap_committed=" + mem.getHeapMemoryUsage().getCommitted()
          + " heap_max=" + mem.getHeapMemoryUsage().getMax()
          + " nonheap_used=" + mem.getNonHeapMemoryUsage().getUsed() + "\n");
    });
    control.createContext("/shutdown", ex -> {
      reply(ex, 200, "stopping\n");
      done.countDown();
    });
    control.start();

    String url = jettys.get(0).getBaseUrl().toString();
    Files.writeString(state.resolve("control.port"), Integer.toString(control.getAddress().getPort()));
    Files.writeString(state.resolve("solr.url"), url);
    System.out.println("SOLR_URL=" + url);
    System.out.flush();
    done.await();
    control.stop(0);
    close(cluster, restarted);
    System.exit(0);
  }

  private static boolean closed = false;

  private static synchronized void close(MiniSolrCloudCluster cluster, List<JettySolrRunner> restarted) {
    if (closed) {
      return;
    }
    closed = true;
    for (JettySolrRunner j : restarted) {  // runners the cluster object does not know of
      try {
        j.stop();
      } catch (Exception e) {
        System.err.println("stop: " + e);
      }
    }
    try {
      cluster.shutdown();
    } catch (Exception e) {
      System.err.println("shutdown: " + e);
    }
  }

  private static int nodeParam(HttpExchange ex) {
    String q = ex.getRequestURI().getQuery();
    if (q == null || !q.startsWith("node=")) {
      throw new IllegalArgumentException("expected ?node=I");
    }
    return Integer.parseInt(q.substring(5));
  }

  private static String nodes(List<JettySolrRunner> jettys) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < jettys.size(); i++) {
      JettySolrRunner j = jettys.get(i);
      sb.append(i).append(' ').append(j.isRunning() ? "up" : "down").append(' ')
          .append(j.isRunning() ? j.getBaseUrl() : "-").append('\n');
    }
    return sb.toString();
  }

  private static void reply(HttpExchange ex, int code, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
