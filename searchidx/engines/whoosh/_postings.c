/* Decoding of compact posting lists (searchidx.engines.whoosh.codec) in C: the same results as the numpy
 * code of codec.py, which stays as the fallback when this module was not built.
 *
 *   read(list_bytes) -> (ids, weights): bytearrays of int64 document numbers and float64 weights
 *   positions(list_bytes, docs) -> (owner, position): bytearrays of int64; ``docs`` (a buffer of sorted
 *       int64 document numbers, each holding the term) are the documents whose positions are wanted; owner
 *       is the index in ``docs`` of each position.
 *   article(...): `Collection.article_term`'s merge of a title and a body list and its BM25 (see below).
 *   in_sequence(...): the documents where a phrase's words follow each other (`scoring._in_sequence`).
 *   accumulate(...): a posting list added to the scores and the clause counts of `ranking._rank_words`.
 *   facet_counts(...): the counts of a facet's values over matched documents (`facets.FacetTable.count`).
 *
 * The block layout is described in codec.py (``_BLOCK``, the layout bits); little-endian hosts only. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <zlib.h>

#define HEADER 21 /* struct "<iBIIfBBH" */
#define NIBBLES 3
#define ZLIB_IW 0x100
#define ZLIB_V 0x200
#define W_CONST 0
#define W_FLOAT 4
#define W_NIBBLES 5
#define MAX_HEAD 4096 /* ids and weights of a block of at most 255 postings, inflated */

typedef struct {
    const unsigned char *buf;
    Py_ssize_t size;
} Source;

typedef struct { /* one block's header, and where its parts are */
    Py_ssize_t pos, end, data;
    int last, count, code, kind, layout;
    uint32_t minid, maxid;
    float maxweight;
} Block;

static uint32_t u32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint16_t u16(const unsigned char *p) { uint16_t v; memcpy(&v, p, 2); return v; }

static Py_ssize_t id_bytes(int count, int code) {
    return code == NIBBLES ? count / 2 : (Py_ssize_t)(count - 1) << code;
}

static Py_ssize_t weight_bytes(int count, int kind) {
    if (kind == W_CONST) return 0;
    if (kind == W_NIBBLES) return (count + 1) / 2;
    return (Py_ssize_t)count << (kind == W_FLOAT ? 2 : kind - 1);
}

static int corrupt(const char *what) {
    PyErr_Format(PyExc_ValueError, "corrupt posting list: %s", what);
    return -1;
}

static int block_at(const Source *s, Py_ssize_t pos, Block *b) {
    if (pos + HEADER > s->size) return corrupt("truncated block header");
    const unsigned char *p = s->buf + pos;
    int32_t length;
    memcpy(&length, p, 4);
    b->pos = pos;
    b->last = length < 0;
    b->end = pos + 4 + (length < 0 ? -(Py_ssize_t)length : (Py_ssize_t)length);
    b->data = pos + HEADER;
    b->count = p[4];
    b->minid = u32(p + 5);
    b->maxid = u32(p + 9);
    memcpy(&b->maxweight, p + 13, 4);
    b->layout = u16(p + 19);
    b->code = b->layout & 3;
    b->kind = (b->layout >> 5) & 7;
    if (b->end > s->size || b->end < b->data || b->count == 0) return corrupt("bad block length");
    if (b->kind > W_NIBBLES || ((b->layout >> 2) & 3) == 3) return corrupt("bad layout");
    return 0;
}

static int check_magic(const Source *s) {
    if (s->size < 4 || memcmp(s->buf, "SXp1", 4) != 0) {
        PyErr_SetString(PyExc_ValueError, "not a compact posting list");
        return -1;
    }
    return 0;
}

/* The block's ids-and-weights part (inflated into ``scratch`` when compressed); ``*used`` gets the stored
 * bytes it takes, so the values part starts at b->data + *used. */
static const unsigned char *head_of(const Source *s, const Block *b, z_stream *z, unsigned char *scratch,
                                    Py_ssize_t *used) {
    Py_ssize_t need = id_bytes(b->count, b->code) + weight_bytes(b->count, b->kind);
    Py_ssize_t avail = b->end - b->data;
    if (!(b->layout & ZLIB_IW)) {
        if (need > avail) { corrupt("block shorter than its postings"); return NULL; }
        *used = need;
        return s->buf + b->data;
    }
    if (need > MAX_HEAD) { corrupt("block too large"); return NULL; }
    if (inflateReset(z) != Z_OK) { corrupt("zlib"); return NULL; }
    z->next_in = (unsigned char *)(s->buf + b->data);
    z->avail_in = (uInt)avail;
    z->next_out = scratch;
    z->avail_out = (uInt)MAX_HEAD;
    int rc = inflate(z, Z_FINISH);
    if (rc != Z_STREAM_END || (Py_ssize_t)z->total_out != need) { corrupt("bad compressed block"); return NULL; }
    *used = avail - (Py_ssize_t)z->avail_in;
    return scratch;
}

static void block_ids(const Block *b, const unsigned char *head, int64_t *out) {
    int64_t id = b->minid;
    out[0] = id;
    for (int i = 1; i < b->count; i++) {
        uint32_t d;
        switch (b->code) {
        case 0: d = head[i - 1]; break;
        case 1: d = u16(head + 2 * (i - 1)); break;
        case 2: d = u32(head + 4 * (i - 1)); break;
        default: d = (i - 1) & 1 ? head[(i - 1) >> 1] >> 4 : head[(i - 1) >> 1] & 15; break;
        }
        id += d;
        out[i] = id;
    }
}

static void block_weights(const Block *b, const unsigned char *w, double *out) {
    for (int i = 0; i < b->count; i++) {
        switch (b->kind) {
        case W_CONST: out[i] = (double)b->maxweight; break;
        case 1: out[i] = w[i]; break;
        case 2: out[i] = u16(w + 2 * i); break;
        case 3: out[i] = u32(w + 4 * i); break;
        case W_FLOAT: { float f; memcpy(&f, w + 4 * i, 4); out[i] = (double)f; break; }
        default: out[i] = i & 1 ? w[i >> 1] >> 4 : w[i >> 1] & 15; break;
        }
    }
}

static int open_zlib(z_stream *z) {
    memset(z, 0, sizeof(*z));
    if (inflateInit(z) != Z_OK) {
        PyErr_SetString(PyExc_MemoryError, "zlib");
        return -1;
    }
    return 0;
}

static PyObject *read_list(PyObject *self, PyObject *arg) {
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) return NULL;
    Source s = {view.buf, view.len};
    PyObject *ids = NULL, *weights = NULL, *result = NULL;
    z_stream z;
    int zopen = 0;
    Block b;
    Py_ssize_t total = 0, pos = 4;
    if (check_magic(&s) < 0) goto done;
    for (;;) { /* first pass: the number of postings */
        if (block_at(&s, pos, &b) < 0) goto done;
        total += b.count;
        if (b.last) break;
        pos = b.end;
    }
    ids = PyByteArray_FromStringAndSize(NULL, total * 8);
    weights = PyByteArray_FromStringAndSize(NULL, total * 8);
    if (!ids || !weights || open_zlib(&z) < 0) goto done;
    zopen = 1;
    int64_t *out_ids = (int64_t *)PyByteArray_AS_STRING(ids);
    double *out_weights = (double *)PyByteArray_AS_STRING(weights);
    unsigned char scratch[MAX_HEAD];
    pos = 4;
    for (;;) {
        Py_ssize_t used;
        if (block_at(&s, pos, &b) < 0) goto done;
        const unsigned char *head = s.buf + b.data;
        if (b.count > 1 || b.kind != W_CONST) {
            head = head_of(&s, &b, &z, scratch, &used);
            if (!head) goto done;
        }
        block_ids(&b, head, out_ids);
        block_weights(&b, head + id_bytes(b.count, b.code), out_weights);
        out_ids += b.count;
        out_weights += b.count;
        if (b.last) break;
        pos = b.end;
    }
    result = PyTuple_Pack(2, ids, weights);
done:
    if (zopen) inflateEnd(&z);
    Py_XDECREF(ids);
    Py_XDECREF(weights);
    PyBuffer_Release(&view);
    return result;
}

/* Appends to ``*out`` (grown as needed) the stored values part of a block, inflated when compressed. */
static const unsigned char *values_of(const Source *s, const Block *b, Py_ssize_t start, z_stream *z,
                                      unsigned char **grow, Py_ssize_t *cap, Py_ssize_t *len) {
    const unsigned char *raw = s->buf + start;
    Py_ssize_t n = b->end - start;
    if (!(b->layout & ZLIB_V)) {
        *len = n;
        return raw;
    }
    if (inflateReset(z) != Z_OK) { corrupt("zlib"); return NULL; }
    z->next_in = (unsigned char *)raw;
    z->avail_in = (uInt)n;
    Py_ssize_t done = 0;
    for (;;) {
        if (done == *cap) {
            Py_ssize_t bigger = *cap ? 2 * *cap : 1 << 14;
            unsigned char *p = PyMem_Realloc(*grow, bigger);
            if (!p) { PyErr_NoMemory(); return NULL; }
            *grow = p;
            *cap = bigger;
        }
        z->next_out = *grow + done;
        z->avail_out = (uInt)(*cap - done);
        int rc = inflate(z, Z_NO_FLUSH);
        done = *cap - z->avail_out;
        if (rc == Z_STREAM_END) break;
        if (rc != Z_OK && rc != Z_BUF_ERROR) { corrupt("bad compressed positions"); return NULL; }
        if (rc == Z_BUF_ERROR && z->avail_out != 0) { corrupt("truncated positions"); return NULL; }
    }
    *len = done;
    return *grow;
}

typedef struct {
    int64_t *owner, *pos;
    Py_ssize_t n, cap;
} Positions;

static int push(Positions *p, int64_t owner, int64_t pos) {
    if (p->n == p->cap) {
        Py_ssize_t bigger = p->cap ? 2 * p->cap : 1024;
        int64_t *o = PyMem_Realloc(p->owner, bigger * 8);
        if (!o) { PyErr_NoMemory(); return -1; }
        p->owner = o;
        int64_t *q = PyMem_Realloc(p->pos, bigger * 8);
        if (!q) { PyErr_NoMemory(); return -1; }
        p->pos = q;
        p->cap = bigger;
    }
    p->owner[p->n] = owner;
    p->pos[p->n] = pos;
    p->n++;
    return 0;
}

static int varint(const unsigned char *v, Py_ssize_t len, Py_ssize_t *at, uint64_t *out) {
    uint64_t x = 0;
    for (int shift = 0; *at < len && shift < 64; shift += 7) {
        unsigned char c = v[(*at)++];
        x |= (uint64_t)(c & 0x7F) << shift;
        if (!(c & 0x80)) { *out = x; return 0; }
    }
    return corrupt("bad positions");
}

/* The positions of one value (a varint count, then varint deltas). */
static int value_positions(const unsigned char *v, Py_ssize_t len, int64_t owner, Positions *out) {
    Py_ssize_t at = 0;
    uint64_t count, delta;
    int64_t pos = 0;
    if (varint(v, len, &at, &count) < 0) return -1;
    for (uint64_t i = 0; i < count; i++) {
        if (varint(v, len, &at, &delta) < 0) return -1;
        pos += (int64_t)delta;
        if (push(out, owner, pos) < 0) return -1;
    }
    return 0;
}

static PyObject *list_positions(PyObject *self, PyObject *args) {
    PyObject *list_obj, *docs_obj;
    if (!PyArg_ParseTuple(args, "OO", &list_obj, &docs_obj)) return NULL;
    Py_buffer view, dview;
    if (PyObject_GetBuffer(list_obj, &view, PyBUF_SIMPLE) < 0) return NULL;
    if (PyObject_GetBuffer(docs_obj, &dview, PyBUF_SIMPLE) < 0) { PyBuffer_Release(&view); return NULL; }
    Source s = {view.buf, view.len};
    const int64_t *docs = dview.buf;
    Py_ssize_t ndocs = dview.len / 8, j = 0;
    Positions out = {NULL, NULL, 0, 0};
    unsigned char *grow = NULL;
    Py_ssize_t cap = 0;
    PyObject *owner = NULL, *pos = NULL, *result = NULL;
    z_stream z;
    int zopen = 0;
    if (check_magic(&s) < 0 || open_zlib(&z) < 0) goto done;
    zopen = 1;
    unsigned char scratch[MAX_HEAD];
    int64_t ids[256];
    Py_ssize_t at = 4;
    while (j < ndocs) {
        Block b;
        if (block_at(&s, at, &b) < 0) goto done;
        if (docs[j] <= (int64_t)b.maxid) {
            Py_ssize_t used = 0, vlen;
            const unsigned char *head = head_of(&s, &b, &z, scratch, &used);
            if (!head) goto done;
            block_ids(&b, head, ids);
            const unsigned char *v = values_of(&s, &b, b.data + used, &z, &grow, &cap, &vlen);
            if (!v) goto done;
            int lcode = (b.layout >> 2) & 3;
            Py_ssize_t first = b.count > 1 ? (Py_ssize_t)(b.count - 1) << lcode : 0, start = first;
            if (first > vlen) { corrupt("bad value lengths"); goto done; }
            for (int i = 0; i < b.count && j < ndocs; i++) {
                Py_ssize_t vl;
                if (i == b.count - 1) vl = vlen - start;
                else vl = lcode == 0 ? v[i] : lcode == 1 ? u16(v + 2 * i) : (Py_ssize_t)u32(v + 4 * i);
                if (vl < 0 || start + vl > vlen) { corrupt("bad value lengths"); goto done; }
                if (ids[i] == docs[j]) {
                    if (value_positions(v + start, vl, j, &out) < 0) goto done;
                    j++;
                } else if (ids[i] > docs[j]) {
                    PyErr_SetString(PyExc_ValueError, "a document does not hold the term");
                    goto done;
                }
                start += vl;
            }
        }
        if (b.last) break;
        at = b.end;
    }
    if (j < ndocs) {
        PyErr_SetString(PyExc_ValueError, "a document does not hold the term");
        goto done;
    }
    owner = PyByteArray_FromStringAndSize((const char *)out.owner, out.n * 8);
    pos = PyByteArray_FromStringAndSize((const char *)out.pos, out.n * 8);
    if (owner && pos) result = PyTuple_Pack(2, owner, pos);
done:
    if (zopen) inflateEnd(&z);
    PyMem_Free(out.owner);
    PyMem_Free(out.pos);
    PyMem_Free(grow);
    Py_XDECREF(owner);
    Py_XDECREF(pos);
    PyBuffer_Release(&dview);
    PyBuffer_Release(&view);
    return result;
}

/* A buffer of ``n`` items of ``size`` bytes, or -1 with an exception set. */
static Py_ssize_t items(PyObject *obj, Py_buffer *view, Py_ssize_t size) {
    if (PyObject_GetBuffer(obj, view, PyBUF_SIMPLE) < 0) return -1;
    if (view->len % size) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_ValueError, "buffer of the wrong item size");
        return -1;
    }
    return view->len / size;
}

/* article(title_ids, title_tf, body_ids, body_tf, title_weight, idf, k1, norm, live) -> (docs, scores):
 * the union of two sorted lists of distinct document numbers (int64, with float64 frequencies), each
 * document's frequency ``title_tf * title_weight + body_tf`` turned into BM25 ``idf * tf * (k1 + 1) / (tf +
 * norm[doc])``, the documents not ``live`` (a bool per document) left out; ``idf`` < 0: the union's length
 * gives it, ``(log(len(norm) / (union + 1)) + 1) ** -idf`` (`Collection.article_term`: -1 is Whoosh's idf). */
static PyObject *article(PyObject *self, PyObject *args) {
    PyObject *objs[6];
    double weight, idf, k1;
    if (!PyArg_ParseTuple(args, "OOOOdddOO", &objs[0], &objs[1], &objs[2], &objs[3], &weight, &idf, &k1, &objs[4],
                          &objs[5]))
        return NULL;
    Py_buffer v[6];
    static const Py_ssize_t sizes[6] = {8, 8, 8, 8, 8, 1};
    Py_ssize_t n[6];
    int got = 0;
    PyObject *docs = NULL, *scores = NULL, *result = NULL;
    for (; got < 6; got++)
        if ((n[got] = items(objs[got], &v[got], sizes[got])) < 0) goto done;
    if (n[0] != n[1] || n[2] != n[3] || n[4] != n[5]) {
        PyErr_SetString(PyExc_ValueError, "lists of different lengths");
        goto done;
    }
    const int64_t *ti = v[0].buf, *bi = v[2].buf;
    const double *tt = v[1].buf, *bt = v[3].buf, *norm = v[4].buf;
    const unsigned char *live = v[5].buf;
    Py_ssize_t nt = n[0], nb = n[2], size = n[4], i = 0, j = 0, k = 0;
    /* one pass for the union (its documents, their frequency: a title occurrence counts ``weight``), whose
     * length gives the idf; then a tight one for the live documents' scores, written over it */
    docs = PyByteArray_FromStringAndSize(NULL, (nt + nb) * 8);
    scores = PyByteArray_FromStringAndSize(NULL, (nt + nb) * 8);
    if (!docs || !scores) goto done;
    int64_t *od = (int64_t *)PyByteArray_AS_STRING(docs);
    double *os = (double *)PyByteArray_AS_STRING(scores);
    while (i < nt && j < nb) {
        int64_t a = ti[i], b = bi[j];
        if (a < b) { od[k] = a; os[k++] = tt[i++] * weight; }
        else if (b < a) { od[k] = b; os[k++] = bt[j++]; }
        else { od[k] = a; os[k++] = tt[i++] * weight + bt[j++]; }
    }
    for (; i < nt; i++, k++) { od[k] = ti[i]; os[k] = tt[i] * weight; }
    for (; j < nb; j++, k++) { od[k] = bi[j]; os[k] = bt[j]; }
    Py_ssize_t union_ = k;
    if (idf < 0) idf = pow(log((double)size / (double)(union_ + 1)) + 1, -idf);
    k = 0;
    for (Py_ssize_t x = 0; x < union_; x++) {
        int64_t d = od[x];
        if (d < 0 || d >= size) {
            PyErr_SetString(PyExc_ValueError, "document number out of range");
            goto done;
        }
        if (!live[d]) continue;
        double tf = os[x];
        od[k] = d;
        os[k++] = idf * tf * (k1 + 1) / (tf + norm[d]);
    }
    if (PyByteArray_Resize(docs, k * 8) < 0 || PyByteArray_Resize(scores, k * 8) < 0) goto done;
    result = PyTuple_Pack(2, docs, scores);
done:
    for (int x = 0; x < got; x++) PyBuffer_Release(&v[x]);
    Py_XDECREF(docs);
    Py_XDECREF(scores);
    return result;
}

/* in_sequence([(owner, position), ...], ndocs, slop) -> bytearray of ndocs flags: which documents have some
 * position of each word following one of the word before by 1 to ``slop`` positions (each pair as
 * `Collection.positions` gives it: int64 arrays sorted by owner, positions ascending within one). */
static PyObject *in_sequence(PyObject *self, PyObject *args) {
    PyObject *words;
    Py_ssize_t ndocs, slop;
    if (!PyArg_ParseTuple(args, "O!nn", &PyList_Type, &words, &ndocs, &slop)) return NULL;
    Py_ssize_t nwords = PyList_GET_SIZE(words);
    if (slop < 1) slop = 1;
    Py_buffer *v = PyMem_Calloc(2 * (nwords ? nwords : 1), sizeof(Py_buffer));
    Py_ssize_t *at = PyMem_Calloc(nwords ? nwords : 1, sizeof(Py_ssize_t));
    int64_t *reach = NULL, *next = NULL;
    Py_ssize_t cap = 0, got = 0;
    PyObject *out = NULL, *result = NULL;
    if (!v || !at) { PyErr_NoMemory(); goto done; }
    for (; got < 2 * nwords; got++) {
        PyObject *pair = PyList_GET_ITEM(words, got / 2);
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
            PyErr_SetString(PyExc_TypeError, "expected (owner, position) pairs");
            goto done;
        }
        if (items(PyTuple_GET_ITEM(pair, got % 2), &v[got], 8) < 0) goto done;
    }
    for (Py_ssize_t w = 0; w < nwords; w++)
        if (v[2 * w].len != v[2 * w + 1].len) { PyErr_SetString(PyExc_ValueError, "lengths differ"); goto done; }
    out = PyByteArray_FromStringAndSize(NULL, ndocs);
    if (!out) goto done;
    unsigned char *flags = (unsigned char *)PyByteArray_AS_STRING(out);
    memset(flags, 0, ndocs);
    for (Py_ssize_t d = 0; d < ndocs && nwords; d++) {
        Py_ssize_t nreach = 0;
        for (Py_ssize_t w = 0; w < nwords; w++) {
            const int64_t *owner = v[2 * w].buf, *pos = v[2 * w + 1].buf;
            Py_ssize_t n = v[2 * w].len / 8, i = at[w], end;
            while (i < n && owner[i] < d) i++;
            for (end = i; end < n && owner[end] == d; end++) {}
            at[w] = end;
            if (w > 0 && nreach == 0) continue; /* already out: only move the other words along */
            if (end - i > cap) {
                Py_ssize_t bigger = 2 * (end - i);
                int64_t *r = PyMem_Realloc(reach, bigger * 8), *x;
                if (!r) { PyErr_NoMemory(); goto done; }
                reach = r;
                if (!(x = PyMem_Realloc(next, bigger * 8))) { PyErr_NoMemory(); goto done; }
                next = x;
                cap = bigger;
            }
            if (w == 0) {
                memcpy(reach, pos + i, (end - i) * 8);
                nreach = end - i;
                continue;
            }
            Py_ssize_t kept = 0, r = 0;
            for (; i < end; i++) { /* keep q when some reached p has q - slop <= p <= q - 1 */
                int64_t q = pos[i];
                while (r < nreach && reach[r] < q - slop) r++;
                if (r < nreach && reach[r] <= q - 1) next[kept++] = q;
            }
            int64_t *swap = reach;
            reach = next;
            next = swap;
            nreach = kept;
        }
        flags[d] = nreach > 0;
    }
    result = out;
    out = NULL;
done:
    for (Py_ssize_t x = 0; x < got; x++) PyBuffer_Release(&v[x]);
    PyMem_Free(v);
    PyMem_Free(at);
    PyMem_Free(reach);
    PyMem_Free(next);
    Py_XDECREF(out);
    return result;
}

/* accumulate(scores, counts, ids, values, step): ``scores[ids[i]] += values[i]`` (float64; skipped when
 * ``values`` is None) and ``counts[ids[i]] += step`` (uint8; skipped when ``counts`` is None), in one pass. */
static PyObject *accumulate(PyObject *self, PyObject *args) {
    PyObject *scores_obj, *counts_obj, *ids_obj, *values_obj;
    int step;
    if (!PyArg_ParseTuple(args, "OOOOi", &scores_obj, &counts_obj, &ids_obj, &values_obj, &step)) return NULL;
    Py_buffer sv = {0}, cv = {0}, iv = {0}, vv = {0};
    int has_counts = counts_obj != Py_None, has_values = values_obj != Py_None;
    PyObject *result = NULL;
    if (PyObject_GetBuffer(scores_obj, &sv, PyBUF_WRITABLE) < 0) return NULL;
    if (has_counts && PyObject_GetBuffer(counts_obj, &cv, PyBUF_WRITABLE) < 0) { has_counts = 0; goto done; }
    if (items(ids_obj, &iv, 8) < 0) goto done;
    if (has_values && items(values_obj, &vv, 8) < 0) { has_values = 0; goto done; }
    Py_ssize_t size = sv.len / 8, n = iv.len / 8;
    if ((has_values && vv.len != iv.len) || (has_counts && cv.len != size)) {
        PyErr_SetString(PyExc_ValueError, "lengths differ");
        goto done;
    }
    const int64_t *ids = iv.buf;
    for (Py_ssize_t i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= size) {
            PyErr_SetString(PyExc_ValueError, "document number out of range");
            goto done;
        }
    double *scores = sv.buf;
    unsigned char *counts = has_counts ? cv.buf : NULL;
    const double *values = has_values ? vv.buf : NULL;
    if (values && counts)
        for (Py_ssize_t i = 0; i < n; i++) { scores[ids[i]] += values[i]; counts[ids[i]] += (unsigned char)step; }
    else if (values)
        for (Py_ssize_t i = 0; i < n; i++) scores[ids[i]] += values[i];
    else if (counts)
        for (Py_ssize_t i = 0; i < n; i++) counts[ids[i]] += (unsigned char)step;
    Py_INCREF(Py_None);
    result = Py_None;
done:
    PyBuffer_Release(&sv);
    if (has_counts) PyBuffer_Release(&cv);
    if (iv.obj) PyBuffer_Release(&iv);
    if (has_values) PyBuffer_Release(&vv);
    return result;
}

/* facet_counts(docs, values, flags, nvalues) -> bytearray of nvalues int64: how many documents flagged in
 * ``flags`` (a bool per document) have each value; the facet is the pairs (docs[i], values[i]), int32 both.
 * Branch-free over the pairs: a flag adds 0 or 1. */
static PyObject *facet_counts(PyObject *self, PyObject *args) {
    PyObject *objs[3];
    Py_ssize_t nvalues;
    if (!PyArg_ParseTuple(args, "OOOn", &objs[0], &objs[1], &objs[2], &nvalues)) return NULL;
    Py_buffer v[3];
    static const Py_ssize_t sizes[3] = {4, 4, 1};
    Py_ssize_t n[3];
    int got = 0;
    PyObject *out = NULL, *result = NULL;
    for (; got < 3; got++)
        if ((n[got] = items(objs[got], &v[got], sizes[got])) < 0) goto done;
    if (n[0] != n[1] || nvalues < 0) {
        PyErr_SetString(PyExc_ValueError, "docs and values differ in length");
        goto done;
    }
    const int32_t *docs = v[0].buf, *values = v[1].buf;
    const unsigned char *flags = v[2].buf;
    Py_ssize_t ndocs = n[2];
    if (!(out = PyByteArray_FromStringAndSize(NULL, nvalues * 8))) goto done;
    int64_t *counts = (int64_t *)PyByteArray_AS_STRING(out);
    memset(counts, 0, nvalues * 8);
    for (Py_ssize_t j = 0; j < n[0]; j++) {
        uint32_t d = (uint32_t)docs[j], value = (uint32_t)values[j];
        if (d >= (uint64_t)ndocs || value >= (uint64_t)nvalues) {
            PyErr_SetString(PyExc_ValueError, "pair out of range");
            goto done;
        }
        counts[value] += flags[d] != 0;
    }
    result = out;
    out = NULL;
done:
    for (int x = 0; x < got; x++) PyBuffer_Release(&v[x]);
    Py_XDECREF(out);
    return result;
}

static PyMethodDef methods[] = {
    {"read", read_list, METH_O, "Every document number and weight of a compact posting list."},
    {"positions", list_positions, METH_VARARGS, "The positions of a term in the given documents."},
    {"article", article, METH_VARARGS, "Two sorted posting lists merged and scored by BM25 over the article."},
    {"in_sequence", in_sequence, METH_VARARGS, "Which documents have the words in sequence."},
    {"accumulate", accumulate, METH_VARARGS, "Adds a posting list's values to the scores and counts its documents."},
    {"facet_counts", facet_counts, METH_VARARGS, "How many flagged documents have each value of a facet."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_postings", NULL, -1, methods};

PyMODINIT_FUNC PyInit__postings(void) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
    PyErr_SetString(PyExc_ImportError, "little-endian hosts only");
    return NULL;
#endif
    return PyModule_Create(&module);
}
