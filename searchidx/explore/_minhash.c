/* Wire copies' MinHash signatures in C: what `copies.python_signature` computes with numpy (which stays as the
 * fallback when this module was not built), without a Python string and a CRC call per word.
 *
 *   minima(lowered, mix, a, b, min_words) -> bytes
 *       The words of ``lowered`` (runs of `re`'s Unicode \w: alphanumeric or "_"), each hashed as the CRC-32 of
 *       its UTF-8 bytes; a shingle of len(mix) / 8 consecutive words mixes their hashes (sum of hash * mix[k],
 *       modulo 2**64); for each multiplier a[p] and offset b[p] (little-endian uint64), the minimum over the
 *       shingles of (shingle * a[p] + b[p]) >> 32, kept as its low 16 bits (little-endian uint16).
 *       b"" when the text has fewer than ``min_words`` words. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

static int is_word(Py_UCS4 c) { return Py_UNICODE_ISALNUM(c) || c == '_'; }

/* the UTF-8 bytes of one code point (surrogates as their 3-byte form) */
static int utf8(Py_UCS4 c, unsigned char *out) {
    if (c < 0x80) { out[0] = (unsigned char)c; return 1; }
    if (c < 0x800) { out[0] = 0xC0 | (c >> 6); out[1] = 0x80 | (c & 0x3F); return 2; }
    if (c < 0x10000) {
        out[0] = 0xE0 | (c >> 12); out[1] = 0x80 | ((c >> 6) & 0x3F); out[2] = 0x80 | (c & 0x3F); return 3;
    }
    out[0] = 0xF0 | (c >> 18); out[1] = 0x80 | ((c >> 12) & 0x3F); out[2] = 0x80 | ((c >> 6) & 0x3F);
    out[3] = 0x80 | (c & 0x3F);
    return 4;
}

static uint64_t u64(const unsigned char *p) {
    uint64_t v = 0;
    for (int k = 7; k >= 0; k--) v = (v << 8) | p[k];
    return v;
}

static PyObject *minima(PyObject *self, PyObject *args) {
    PyObject *text;
    Py_buffer mix, a, b;
    Py_ssize_t min_words;
    if (!PyArg_ParseTuple(args, "Uy*y*y*n", &text, &mix, &a, &b, &min_words)) return NULL;
    PyObject *result = NULL;
    uint64_t *hashes = NULL, *mixes = NULL, *as = NULL, *bs = NULL, *mins = NULL;
    Py_ssize_t shingle = mix.len / 8, perms = a.len / 8;
    if (shingle < 1 || mix.len % 8 || a.len % 8 || b.len != a.len) {
        PyErr_SetString(PyExc_ValueError, "mix, a and b must be non-empty uint64 arrays, a and b of one length");
        goto done;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), words = 0, cap = 256;
    hashes = PyMem_Malloc(cap * sizeof(uint64_t));
    mixes = PyMem_Malloc(shingle * sizeof(uint64_t));
    as = PyMem_Malloc(perms * sizeof(uint64_t));
    bs = PyMem_Malloc(perms * sizeof(uint64_t));
    mins = PyMem_Malloc((perms ? perms : 1) * sizeof(uint64_t));
    if (!hashes || !mixes || !as || !bs || !mins) { PyErr_NoMemory(); goto done; }
    for (Py_ssize_t k = 0; k < shingle; k++) mixes[k] = u64((const unsigned char *)mix.buf + 8 * k);
    for (Py_ssize_t p = 0; p < perms; p++) {
        as[p] = u64((const unsigned char *)a.buf + 8 * p);
        bs[p] = u64((const unsigned char *)b.buf + 8 * p);
        mins[p] = UINT64_MAX;
    }
    unsigned char buf[256];
    for (Py_ssize_t i = 0; i < n;) {
        if (!is_word(PyUnicode_READ(kind, data, i))) { i++; continue; }
        uLong crc = crc32(0L, Z_NULL, 0);
        int used = 0;
        for (; i < n; i++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            if (!is_word(c)) break;
            if (used > (int)sizeof buf - 4) { crc = crc32(crc, buf, used); used = 0; }
            used += utf8(c, buf + used);
        }
        crc = crc32(crc, buf, used);
        if (words == cap) {
            cap *= 2;
            uint64_t *grown = PyMem_Realloc(hashes, cap * sizeof(uint64_t));
            if (!grown) { PyErr_NoMemory(); goto done; }
            hashes = grown;
        }
        hashes[words++] = (uint64_t)crc;
    }
    if (words < min_words || words < shingle) { result = PyBytes_FromStringAndSize("", 0); goto done; }
    for (Py_ssize_t s = 0; s + shingle <= words; s++) {
        uint64_t h = 0;
        for (Py_ssize_t k = 0; k < shingle; k++) h += hashes[s + k] * mixes[k];
        for (Py_ssize_t p = 0; p < perms; p++) {
            uint64_t v = (h * as[p] + bs[p]) >> 32;
            if (v < mins[p]) mins[p] = v;
        }
    }
    result = PyBytes_FromStringAndSize(NULL, 2 * perms);
    if (!result) goto done;
    unsigned char *out = (unsigned char *)PyBytes_AS_STRING(result);
    for (Py_ssize_t p = 0; p < perms; p++) {
        out[2 * p] = mins[p] & 0xFF;
        out[2 * p + 1] = (mins[p] >> 8) & 0xFF;
    }
done:
    PyMem_Free(hashes);
    PyMem_Free(mixes);
    PyMem_Free(as);
    PyMem_Free(bs);
    PyMem_Free(mins);
    PyBuffer_Release(&mix);
    PyBuffer_Release(&a);
    PyBuffer_Release(&b);
    return result;
}

static PyMethodDef methods[] = {
    {"minima", minima, METH_VARARGS, "A lowercased body's MinHash minima, as copies.python_signature gives them."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_minhash", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__minhash(void) { return PyModule_Create(&module); }
