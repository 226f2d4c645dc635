/* Writing of a segment's terms in C: the posting blocks of codec.py (`CompactPostingsWriter.write_term`) and
 * the term index records and hash tables of Whoosh's `OrderedHashWriter`, byte for byte. The Python code stays
 * as the fallback when this module was not built (`searchidx.engines.whoosh.termfile`).
 *
 *   terms(groups, codes, fieldid, fixedsize, compression, offset) -> (postings, records, hashes, positions)
 *       ``groups``: (field name, term bytes, [doc, weight, value, doc, weight, value, ...]) of one field, in term
 *       order, each of at most 255 postings (one block); ``codes``: each document's length byte (documents past
 *       its end: 0); ``fixedsize``: the format's fixed value size (-1: variable); ``offset``: where the postings
 *       file is. Returns the posting lists to append to it, the term index records (key and term info), and
 *       each record's MD5 hash (uint32) and offset in ``records`` (int64).
 *   hash_tables(hashes, positions, start) -> (tables, directory): Whoosh's 256 open-addressing tables of the
 *       records (``HashWriter._write_hashes``) written from ``start``, and their (position, slots) list.
 *   term_blocks(flat, codes, fixedsize, compression, limit) -> (postings, weight, count, minlength, maxlength,
 *       maxweight, first, last, lengthless): one term's posting list of any length (`pool.write_postings`:
 *       ``CompactPostingsWriter.add_postings`` then ``finish_postings``), blocks of ``limit`` postings, and what
 *       its term info holds: the sum of the blocks' weight sums, the postings, the smallest and largest length
 *       bytes, the largest weight (at least 0), the first and last document, and how many blocks have no length.
 *   field_postings(found) -> (postings, exacts, stems): a text field's postings of one document, as
 *       `schema.pre_analyze` makes them in Python: ``found`` is `analysis.indexed_plans` of the text (per chunk,
 *       its (term, position increment, exact form, index only) tuples); ``postings`` is each term's (UTF-8
 *       term, frequency, weight = frequency, `schema.CompactPositions` value) in order of first occurrence;
 *       ``exacts`` the exact forms and ``stems`` the terms of the tokens with an exact form, not index-only.
 *
 * Little-endian hosts only (the block header is little-endian; Whoosh's structs are big-endian). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#define INFO_SIZE 17 /* the block header after its signed length */
#define MAX_POSTINGS 255
#define MIN_ZLIB 24
#define NIBBLES 3
#define ZLIB_IW 0x100
#define ZLIB_V 0x200
#define W_CONST 0
#define W_FLOAT 4
#define W_NIBBLES 5

/* ---- a growable byte buffer ---- */

typedef struct {
    unsigned char *data;
    Py_ssize_t size, cap;
} Buf;

static int reserve(Buf *b, Py_ssize_t more) {
    if (b->size + more <= b->cap) return 0;
    Py_ssize_t cap = b->cap ? b->cap : 64;
    while (cap < b->size + more) cap *= 2;
    unsigned char *data = PyMem_Realloc(b->data, cap);
    if (!data) {
        PyErr_NoMemory();
        return -1;
    }
    b->data = data;
    b->cap = cap;
    return 0;
}

static int put(Buf *b, const void *p, Py_ssize_t n) {
    if (reserve(b, n) < 0) return -1;
    memcpy(b->data + b->size, p, n);
    b->size += n;
    return 0;
}

static void be32(unsigned char *p, uint32_t v) {
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static void be64(unsigned char *p, uint64_t v) {
    be32(p, (uint32_t)(v >> 32));
    be32(p + 4, (uint32_t)v);
}

/* ---- MD5 (RFC 1321): Whoosh hashes a term index key by the last four bytes of its digest ---- */

static const uint32_t MD5_K[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};
static const unsigned char MD5_S[64] = {
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
};

static void md5_chunk(uint32_t h[4], const unsigned char *p) {
    uint32_t m[16], a = h[0], b = h[1], c = h[2], d = h[3];
    for (int i = 0; i < 16; i++) m[i] = p[4 * i] | p[4 * i + 1] << 8 | p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        if (i < 16) { f = (b & c) | (~b & d); g = i; }
        else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) & 15; }
        else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) & 15; }
        else { f = c ^ (b | ~d); g = (7 * i) & 15; }
        f += a + MD5_K[i] + m[g];
        a = d; d = c; c = b;
        b += (f << MD5_S[i]) | (f >> (32 - MD5_S[i]));
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d;
}

/* int(md5(key).hexdigest(), 16) & 0xFFFFFFFF: the digest's last four bytes, big-endian. */
static uint32_t md5_tail(const unsigned char *key, Py_ssize_t n) {
    uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    Py_ssize_t i = 0;
    for (; i + 64 <= n; i += 64) md5_chunk(h, key + i);
    unsigned char last[128] = {0};
    Py_ssize_t rest = n - i;
    memcpy(last, key + i, rest);
    last[rest] = 0x80;
    Py_ssize_t blocks = rest + 9 <= 64 ? 1 : 2;
    uint64_t bits = (uint64_t)n * 8;
    for (int j = 0; j < 8; j++) last[blocks * 64 - 8 + j] = (unsigned char)(bits >> (8 * j));
    for (Py_ssize_t j = 0; j < blocks; j++) md5_chunk(h, last + 64 * j);
    uint32_t d = h[3]; /* bytes 12-15 of the digest, stored little-endian */
    return (d & 0xff) << 24 | (d >> 8 & 0xff) << 16 | (d >> 16 & 0xff) << 8 | d >> 24;
}

/* ---- one posting list of one block (codec._block_bytes, last block) ---- */

static int width(uint64_t largest) { return largest < 0x100 ? 0 : largest < 0x10000 ? 1 : 2; }

static void pack_uints(unsigned char *out, const uint32_t *v, int n, int code) {
    for (int i = 0; i < n; i++) {
        if (code == 0) out[i] = (unsigned char)v[i];
        else if (code == 1) { uint16_t x = (uint16_t)v[i]; memcpy(out + 2 * i, &x, 2); }
        else memcpy(out + 4 * i, &v[i], 4);
    }
}

static Py_ssize_t nibble_uints(unsigned char *out, const uint32_t *v, int n) {
    for (int i = 0; i < n; i += 2) out[i / 2] = (unsigned char)(v[i] | (i + 1 < n ? v[i + 1] << 4 : 0));
    return (n + 1) / 2;
}

/* Appends ``data`` to ``out``, zlib-compressed at ``level`` when that makes it shorter; 1 if compressed. */
static int squeezed(Buf *out, const unsigned char *data, Py_ssize_t n, int level) {
    if (level && n >= MIN_ZLIB) {
        uLongf size = compressBound((uLong)n);
        if (reserve(out, (Py_ssize_t)size) < 0) return -1;
        if (compress2(out->data + out->size, &size, data, (uLong)n, level) == Z_OK && (Py_ssize_t)size < n) {
            out->size += (Py_ssize_t)size;
            return 1;
        }
    }
    return put(out, data, n) < 0 ? -1 : 0;
}

typedef struct {
    int n;
    uint32_t ids[MAX_POSTINGS];
    float w32[MAX_POSTINGS];
    double wmax; /* of the weights as given (the term info's max weight) */
    unsigned char minlen, maxlen;
    const unsigned char *values[MAX_POSTINGS];
    Py_ssize_t vlens[MAX_POSTINGS];
} Term;

static int parse_slice(PyObject *flat, Py_ssize_t begin, int n, const unsigned char *codes, Py_ssize_t ncodes,
                       uint32_t after, Term *t);

static int parse_term(PyObject *flat, const unsigned char *codes, Py_ssize_t ncodes, Term *t) {
    if (!PyList_Check(flat) || PyList_GET_SIZE(flat) % 3 || PyList_GET_SIZE(flat) == 0
        || PyList_GET_SIZE(flat) > 3 * MAX_POSTINGS) {
        PyErr_SetString(PyExc_ValueError, "a term's postings: a list of 1-255 (doc, weight, value)");
        return -1;
    }
    return parse_slice(flat, 0, (int)(PyList_GET_SIZE(flat) / 3), codes, ncodes, 0, t);
}

/* The ``n`` postings of ``flat`` from posting ``begin`` into ``t``; document numbers must increase from
 * ``after`` on (``begin`` > 0: the last document of the block before). */
static int parse_slice(PyObject *flat, Py_ssize_t begin, int n, const unsigned char *codes, Py_ssize_t ncodes,
                       uint32_t after, Term *t) {
    t->n = n;
    t->minlen = t->maxlen = 0;
    for (int i = 0; i < t->n; i++) {
        Py_ssize_t k = 3 * (begin + i);
        PyObject *doc = PyList_GET_ITEM(flat, k), *weight = PyList_GET_ITEM(flat, k + 1),
                 *value = PyList_GET_ITEM(flat, k + 2);
        unsigned long id = PyLong_AsUnsignedLong(doc);
        if (id == (unsigned long)-1 && PyErr_Occurred()) return -1;
        if (id > 0xFFFFFFFFul || (i && id <= t->ids[i - 1]) || (!i && begin && id <= after)) {
            PyErr_SetString(PyExc_ValueError, "document numbers must increase and fit in 32 bits");
            return -1;
        }
        double w = PyFloat_AsDouble(weight);
        if (w == -1.0 && PyErr_Occurred()) return -1;
        t->ids[i] = (uint32_t)id;
        t->w32[i] = (float)w;
        if (!i || w > t->wmax) t->wmax = w;
        if (value == Py_None) {
            t->values[i] = (const unsigned char *)"";
            t->vlens[i] = 0;
        } else if (PyBytes_Check(value)) {
            t->values[i] = (const unsigned char *)PyBytes_AS_STRING(value);
            t->vlens[i] = PyBytes_GET_SIZE(value);
        } else {
            PyErr_SetString(PyExc_TypeError, "a posting's value must be bytes or None");
            return -1;
        }
        unsigned char code = id < (unsigned long)ncodes ? codes[id] : 0;
        if (code) {
            if (!t->minlen || code < t->minlen) t->minlen = code;
            if (code > t->maxlen) t->maxlen = code;
        }
    }
    return 0;
}

/* Appends the block of ``t`` to ``out`` (after MAGIC if ``first``; its length negative if ``last``);
 * ``scratch`` holds the uncompressed parts. */
static int write_block(Buf *out, Buf *scratch, const Term *t, int fixedsize, int compression, int first, int last) {
    int n = t->n, layout = 0, nibbles = 0;
    uint32_t tmp[MAX_POSTINGS];
    unsigned char packed[4 * MAX_POSTINGS];
    Py_ssize_t start = out->size;
    static const unsigned char header_space[4 + 4 + INFO_SIZE] = "SXp1";
    int magic = first ? 4 : 0;
    if (put(out, header_space + 4 - magic, magic + 4 + INFO_SIZE) < 0) return -1;

    scratch->size = 0;
    if (n > 1) {
        uint32_t largest = 0;
        for (int i = 1; i < n; i++) {
            tmp[i - 1] = t->ids[i] - t->ids[i - 1];
            if (tmp[i - 1] > largest) largest = tmp[i - 1];
        }
        nibbles = largest < 16;
        int code = nibbles ? NIBBLES : width(largest);
        layout |= code;
        Py_ssize_t len = nibbles ? nibble_uints(packed, tmp, n - 1) : (Py_ssize_t)(n - 1) << code;
        if (!nibbles) pack_uints(packed, tmp, n - 1, code);
        if (put(scratch, packed, len) < 0) return -1;
    }
    float top = t->w32[0], low = t->w32[0];
    int whole = 1;
    for (int i = 0; i < n; i++) {
        float w = t->w32[i];
        if (w > top) top = w;
        if (w < low) low = w;
        if (whole && !(w >= 0 && w < 4294967296.0f && (float)(uint32_t)w == w)) whole = 0;
    }
    int kind;
    if (low == top) {
        kind = W_CONST;
    } else if (whole) {
        for (int i = 0; i < n; i++) tmp[i] = (uint32_t)t->w32[i];
        int code = width((uint64_t)top);
        kind = top < 16 ? W_NIBBLES : 1 + code;
        Py_ssize_t len = top < 16 ? nibble_uints(packed, tmp, n) : (Py_ssize_t)n << code;
        if (top >= 16) pack_uints(packed, tmp, n, code);
        if (put(scratch, packed, len) < 0) return -1;
    } else {
        kind = W_FLOAT;
        if (put(scratch, t->w32, 4 * (Py_ssize_t)n) < 0) return -1;
    }
    layout |= kind << 5;
    /* ids and weights are never compressed: inflating them took 90% of the time of reading a list */
    if (put(out, scratch->data, scratch->size) < 0) return -1;

    scratch->size = 0;
    if (fixedsize != 0) {
        if (fixedsize < 0 && n > 1) {
            uint32_t largest = 0;
            for (int i = 0; i < n - 1; i++) {
                tmp[i] = (uint32_t)t->vlens[i];
                if (tmp[i] > largest) largest = tmp[i];
            }
            int code = width(largest);
            layout |= code << 2;
            pack_uints(packed, tmp, n - 1, code);
            if (put(scratch, packed, (Py_ssize_t)(n - 1) << code) < 0) return -1;
        }
        for (int i = 0; i < n; i++)
            if (put(scratch, t->values[i], t->vlens[i]) < 0) return -1;
    }
    int z = squeezed(out, scratch->data, scratch->size, compression);
    if (z < 0) return -1;
    layout |= z ? ZLIB_V : 0;

    unsigned char *h = out->data + start + magic;
    int32_t length = (int32_t)(INFO_SIZE + (out->size - start - magic - 4 - INFO_SIZE));
    if (last) length = -length;
    uint16_t lay = (uint16_t)layout;
    memcpy(h, &length, 4);
    h[4] = (unsigned char)n;
    memcpy(h + 5, &t->ids[0], 4);
    memcpy(h + 9, &t->ids[n - 1], 4);
    memcpy(h + 13, &top, 4);
    h[17] = t->minlen;
    h[18] = t->maxlen;
    memcpy(h + 19, &lay, 2);
    return 0;
}

/* W3TermInfo ("!BfIBBfII" + "!q" offset + "!i" length) of a term written at ``start``, ``size`` bytes. */
static void term_info(unsigned char *p, const Term *t, int64_t start, int32_t size) {
    double sum = 0;
    for (int i = 0; i < t->n; i++) sum += t->w32[i];
    float fsum = (float)sum, fmax = (float)(t->wmax > 0 ? t->wmax : 0);
    uint32_t bits;
    p[0] = 0;
    memcpy(&bits, &fsum, 4);
    be32(p + 1, bits);
    be32(p + 5, (uint32_t)t->n);
    p[9] = t->minlen;
    p[10] = t->maxlen;
    memcpy(&bits, &fmax, 4);
    be32(p + 11, bits);
    be32(p + 15, t->ids[0]);
    be32(p + 19, t->ids[t->n - 1]);
    be64(p + 23, (uint64_t)start);
    be32(p + 31, (uint32_t)size);
}
#define TERM_INFO 35

static PyObject *terms(PyObject *self, PyObject *args) {
    PyObject *groups;
    Py_buffer codes;
    int fieldid, fixedsize, compression;
    long long offset;
    if (!PyArg_ParseTuple(args, "O!y*iiiL", &PyList_Type, &groups, &codes, &fieldid, &fixedsize, &compression,
                          &offset))
        return NULL;
    Buf post = {0}, records = {0}, hashes = {0}, positions = {0}, scratch = {0};
    Term *t = PyMem_Malloc(sizeof(Term));
    PyObject *result = NULL;
    Buf key = {0};
    const unsigned char *last = NULL;
    Py_ssize_t lastlen = 0;
    if (!t) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t g = 0; g < PyList_GET_SIZE(groups); g++) {
        PyObject *group = PyList_GET_ITEM(groups, g);
        if (!PyTuple_Check(group) || PyTuple_GET_SIZE(group) != 3 || !PyBytes_Check(PyTuple_GET_ITEM(group, 1))) {
            PyErr_SetString(PyExc_TypeError, "a group is (field name, term bytes, postings)");
            goto done;
        }
        PyObject *term = PyTuple_GET_ITEM(group, 1);
        const unsigned char *tb = (const unsigned char *)PyBytes_AS_STRING(term);
        Py_ssize_t tlen = PyBytes_GET_SIZE(term);
        if (last) {
            int c = memcmp(last, tb, lastlen < tlen ? lastlen : tlen);
            if (c > 0 || (c == 0 && lastlen >= tlen)) {
                PyErr_SetString(PyExc_ValueError, "terms must increase");
                goto done;
            }
        }
        last = tb;
        lastlen = tlen;
        if (parse_term(PyTuple_GET_ITEM(group, 2), codes.buf, codes.len, t) < 0) goto done;
        Py_ssize_t begin = post.size;
        if (write_block(&post, &scratch, t, fixedsize, compression, 1, 1) < 0) goto done;
        unsigned char info[TERM_INFO], lens[8];
        term_info(info, t, offset + begin, (int32_t)(post.size - begin));
        /* the record: "!ii" key and value lengths, the key ("!H" field id + term), the term info */
        int64_t at = records.size;
        uint32_t klen = (uint32_t)(2 + tlen);
        be32(lens, klen);
        be32(lens + 4, TERM_INFO);
        key.size = 0;
        unsigned char fid[2] = {(unsigned char)(fieldid >> 8), (unsigned char)fieldid};
        if (put(&key, fid, 2) < 0 || put(&key, tb, tlen) < 0) goto done;
        uint32_t h = md5_tail(key.data, key.size);
        if (put(&records, lens, 8) < 0 || put(&records, key.data, key.size) < 0 || put(&records, info, TERM_INFO) < 0
            || put(&hashes, &h, 4) < 0 || put(&positions, &at, 8) < 0)
            goto done;
    }
    result = Py_BuildValue("y#y#y#y#", post.data ? (char *)post.data : "", post.size,
                           records.data ? (char *)records.data : "", records.size,
                           hashes.data ? (char *)hashes.data : "", hashes.size,
                           positions.data ? (char *)positions.data : "", positions.size);
done:
    PyBuffer_Release(&codes);
    PyMem_Free(t);
    PyMem_Free(post.data);
    PyMem_Free(records.data);
    PyMem_Free(hashes.data);
    PyMem_Free(positions.data);
    PyMem_Free(scratch.data);
    PyMem_Free(key.data);
    return result;
}

/* ---- the term index's hash tables (HashWriter._write_hashes) ---- */

static PyObject *hash_tables(PyObject *self, PyObject *args) {
    Py_buffer hv, pv;
    long long start;
    if (!PyArg_ParseTuple(args, "y*y*L", &hv, &pv, &start)) return NULL;
    PyObject *result = NULL, *directory = NULL;
    Py_ssize_t n = hv.len / 4, count[257] = {0};
    uint32_t *order = NULL;
    unsigned char *out = NULL;
    uint64_t *slots = NULL;
    const uint32_t *hashes = hv.buf;
    const int64_t *positions = pv.buf;
    if (pv.len / 8 != n) {
        PyErr_SetString(PyExc_ValueError, "hashes and positions differ in length");
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) count[(hashes[i] & 255) + 1]++;
    for (int b = 0; b < 256; b++) count[b + 1] += count[b];
    order = PyMem_Malloc((n ? n : 1) * sizeof(uint32_t));
    out = PyMem_Malloc((n ? 2 * n : 1) * 12);
    slots = PyMem_Malloc((n ? 2 * n : 1) * sizeof(uint64_t));
    if (!order || !out || !slots || !(directory = PyList_New(256))) {
        if (!PyErr_Occurred()) PyErr_NoMemory();
        goto done;
    }
    {
        Py_ssize_t fill[256];
        memcpy(fill, count, sizeof fill);
        for (Py_ssize_t i = 0; i < n; i++) order[fill[hashes[i] & 255]++] = (uint32_t)i;
    }
    Py_ssize_t written = 0;
    for (int b = 0; b < 256; b++) {
        Py_ssize_t first = count[b], entries = count[b + 1] - first, numslots = 2 * entries;
        PyObject *entry = Py_BuildValue("(Ln)", start + written * 12, numslots);
        if (!entry) goto done;
        PyList_SET_ITEM(directory, b, entry);
        for (Py_ssize_t s = 0; s < numslots; s++) slots[s] = UINT64_MAX; /* empty */
        for (Py_ssize_t e = 0; e < entries; e++) {
            uint32_t i = order[first + e];
            Py_ssize_t slot = (Py_ssize_t)((hashes[i] >> 8) % (uint64_t)numslots);
            while (slots[slot] != UINT64_MAX) slot = (slot + 1) % numslots;
            slots[slot] = i;
        }
        for (Py_ssize_t s = 0; s < numslots; s++, written++) {
            unsigned char *p = out + written * 12;
            if (slots[s] == UINT64_MAX) {
                memset(p, 0, 12);
            } else {
                be32(p, hashes[slots[s]]);
                be64(p + 4, (uint64_t)positions[slots[s]]);
            }
        }
    }
    result = Py_BuildValue("(y#O)", (char *)out, written * 12, directory);
done:
    PyBuffer_Release(&hv);
    PyBuffer_Release(&pv);
    PyMem_Free(order);
    PyMem_Free(out);
    PyMem_Free(slots);
    Py_XDECREF(directory);
    return result;
}


/* term_blocks(flat, codes, fixedsize, compression, limit) -> see the module doc. */
static PyObject *term_blocks(PyObject *self, PyObject *args) {
    PyObject *flat;
    Py_buffer codes;
    int fixedsize, compression, limit;
    if (!PyArg_ParseTuple(args, "O!y*iii", &PyList_Type, &flat, &codes, &fixedsize, &compression, &limit))
        return NULL;
    Buf post = {0}, scratch = {0};
    Term *t = PyMem_Malloc(sizeof(Term));
    PyObject *result = NULL;
    Py_ssize_t total = PyList_GET_SIZE(flat) / 3;
    if (!t) {
        PyErr_NoMemory();
        goto done;
    }
    if (PyList_GET_SIZE(flat) % 3 || total == 0 || limit < 1 || limit > MAX_POSTINGS) {
        PyErr_SetString(PyExc_ValueError, "a term's postings: a list of (doc, weight, value); limit 1-255");
        goto done;
    }
    double weight = 0, maxweight = 0;
    unsigned char minlen = 0, maxlen = 0;
    int lengthless = 0;
    uint32_t first = 0, last = 0;
    for (Py_ssize_t begin = 0; begin < total; begin += limit) {
        int n = (int)(total - begin < limit ? total - begin : limit);
        if (parse_slice(flat, begin, n, codes.buf, codes.len, last, t) < 0) goto done;
        if (write_block(&post, &scratch, t, fixedsize, compression, begin == 0, begin + n == total) < 0) goto done;
        double sum = 0;
        for (int i = 0; i < n; i++) sum += t->w32[i];
        weight += sum;
        if (t->wmax > maxweight) maxweight = t->wmax;
        if (!t->minlen) lengthless++;
        else if (!minlen || t->minlen < minlen) minlen = t->minlen;
        if (t->maxlen > maxlen) maxlen = t->maxlen;
        if (!begin) first = t->ids[0];
        last = t->ids[n - 1];
    }
    result = Py_BuildValue("(y#dnBBdIIi)", post.data ? (char *)post.data : "", post.size, weight, total, minlen,
                           maxlen, maxweight, first, last, lengthless);
done:
    PyBuffer_Release(&codes);
    PyMem_Free(t);
    PyMem_Free(post.data);
    PyMem_Free(scratch.data);
    return result;
}

/* ---- a text field's postings of one document (`schema.pre_analyze`) ---- */

static int put_varint(Buf *b, uint32_t v) {
    unsigned char tmp[5];
    int k = 0;
    while (v > 0x7F) {
        tmp[k++] = (unsigned char)((v & 0x7F) | 0x80);
        v >>= 7;
    }
    tmp[k++] = (unsigned char)v;
    return put(b, tmp, k);
}

/* field_postings(found) -> (postings, exacts, stems): see the module doc. */
static PyObject *field_postings(PyObject *self, PyObject *args) {
    PyObject *found;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &found)) return NULL;
    PyObject *index = PyDict_New(), *order = PyList_New(0), *exacts = PyList_New(0), *stems = PyList_New(0);
    PyObject *postings = NULL, *result = NULL;
    Buf lists = {0}; /* a Buf of each term's positions (uint32), by order of first occurrence */
    Py_ssize_t nlists = 0;
    Buf buf = {NULL, 0, 0};
    if (!index || !order || !exacts || !stems) goto done;
    long pos = -1;
    for (Py_ssize_t c = 0; c < PyList_GET_SIZE(found); c++) {
        PyObject *chunk = PyList_GET_ITEM(found, c);
        if (!PyTuple_Check(chunk)) {
            PyErr_SetString(PyExc_TypeError, "found: a list of tuples");
            goto done;
        }
        for (Py_ssize_t t = 0; t < PyTuple_GET_SIZE(chunk); t++) {
            PyObject *item = PyTuple_GET_ITEM(chunk, t);
            if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 4 || !PyUnicode_Check(PyTuple_GET_ITEM(item, 0))) {
                PyErr_SetString(PyExc_TypeError, "found: (term, increment, exact form, index only) tuples");
                goto done;
            }
            PyObject *term = PyTuple_GET_ITEM(item, 0), *exact = PyTuple_GET_ITEM(item, 2);
            long inc = PyLong_AsLong(PyTuple_GET_ITEM(item, 1));
            if (inc == -1 && PyErr_Occurred()) goto done;
            pos += inc;
            PyObject *slot = PyDict_GetItemWithError(index, term);
            Py_ssize_t i;
            if (slot) {
                i = PyLong_AsSsize_t(slot);
            } else {
                if (PyErr_Occurred()) goto done;
                static const Buf empty = {0};
                if (put(&lists, &empty, sizeof(Buf)) < 0) goto done;
                i = nlists++;
                PyObject *number = PyLong_FromSsize_t(i);
                if (!number || PyDict_SetItem(index, term, number) < 0 || PyList_Append(order, term) < 0) {
                    Py_XDECREF(number);
                    goto done;
                }
                Py_DECREF(number);
            }
            uint32_t at = (uint32_t)(pos >= 0 ? pos : 0);
            if (put(&((Buf *)lists.data)[i], &at, sizeof at) < 0) goto done;
            int truth = PyObject_IsTrue(exact);
            if (truth < 0) goto done;
            if (truth) {
                if (PyList_Append(exacts, exact) < 0) goto done;
                if (PyTuple_GET_ITEM(item, 3) != Py_True && PyList_Append(stems, term) < 0) goto done;
            }
        }
    }
    postings = PyList_New(nlists);
    if (!postings) goto done;
    for (Py_ssize_t i = 0; i < nlists; i++) {
        const uint32_t *at = (const uint32_t *)((Buf *)lists.data)[i].data;
        Py_ssize_t n = ((Buf *)lists.data)[i].size / (Py_ssize_t)sizeof(uint32_t);
        buf.size = 0;
        if (put_varint(&buf, (uint32_t)n) < 0) goto done;
        uint32_t base = 0;
        for (Py_ssize_t k = 0; k < n; k++) {
            if (put_varint(&buf, at[k] - base) < 0) goto done;
            base = at[k];
        }
        PyObject *term = PyUnicode_AsUTF8String(PyList_GET_ITEM(order, i));
        PyObject *value = term ? PyBytes_FromStringAndSize((const char *)buf.data, buf.size) : NULL;
        PyObject *posting = value ? Py_BuildValue("(OnnO)", term, n, n, value) : NULL;
        Py_XDECREF(term);
        Py_XDECREF(value);
        if (!posting) goto done;
        PyList_SET_ITEM(postings, i, posting);
    }
    result = PyTuple_Pack(3, postings, exacts, stems);
done:
    for (Py_ssize_t i = 0; i < nlists; i++) PyMem_Free(((Buf *)lists.data)[i].data);
    PyMem_Free(lists.data);
    PyMem_Free(buf.data);
    Py_XDECREF(index);
    Py_XDECREF(order);
    Py_XDECREF(exacts);
    Py_XDECREF(stems);
    Py_XDECREF(postings);
    return result;
}

static PyMethodDef methods[] = {
    {"terms", terms, METH_VARARGS, "One-block posting lists and term index records of a field's terms."},
    {"hash_tables", hash_tables, METH_VARARGS, "The term index's 256 hash tables and their directory."},
    {"term_blocks", term_blocks, METH_VARARGS, "The posting blocks of a term of any length, and its statistics."},
    {"field_postings", field_postings, METH_VARARGS, "A text field's postings of one document, exact forms, stems."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_encode", NULL, -1, methods};

PyMODINIT_FUNC PyInit__encode(void) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
    PyErr_SetString(PyExc_ImportError, "little-endian hosts only");
    return NULL;
#endif
    return PyModule_Create(&module);
}
