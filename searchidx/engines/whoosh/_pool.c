/* The writer's posting pool in C (`pool.CompactPool`): each term's postings packed in one byte buffer, in a
 * hash table keyed by (field, term), instead of a Python list of three objects per posting in a dict per field.
 *
 * Why: at one million articles the writer spent most of its time adding postings to the Python pool, whose
 * dicts and lists are far larger than the caches (py-spy: 1,363 s of a 2,333 s build), and at ~90 bytes a
 * posting the pool spilled a sorted run every ~3,000 articles, so the commit merged ~125 runs. Here a posting
 * takes ~7 bytes: the pool holds ten times more, and the commit merges a tenth of the runs.
 *
 *   Pool()
 *   Pool.add(field, doc, items, boost) -> length: adds one document's postings of one field; ``items`` yields
 *       (term bytes, frequency, weight, value bytes or None); returns the sum of the frequencies. A weight is
 *       kept as given (an int, or a float, multiplied by ``boost`` when it is not 1).
 *   Pool.add_packed(field, doc, packed, boost) -> length: the same, the postings given as `pack` packs them.
 *   Pool.nbytes: the memory the pool holds (its buffers with malloc's header each, and its table).
 *   Pool.terms: how many (field, term) keys it holds.
 *   Pool.sort(ranks) -> n: puts the keys in (ranks[field], term) order, for `frame`.
 *   Pool.frame(start, stop) -> bytes: the sorted keys [start, stop) and their postings, packed.
 *   Pool.clear(): empties the pool.
 *   pack(items) -> bytes: postings (term bytes, frequency, weight, value) packed for `Pool.add_packed` (a worker
 *       sends one bytes object per field rather than a tuple per posting, pickled and unpickled).
 *   pack_counts(terms) -> bytes: `pack` of the Frequency-format postings of a list of terms (str): each distinct
 *       term in order of first occurrence, its count n as frequency and weight, its value ``pack_uint(n)``.
 *   unpack(packed) -> [(term, frequency, weight, value), ...]: what `pack` packed.
 *   decode(frame, names) -> [(names[field], term, [doc, weight, value, ...]), ...]: a frame as the Python pool's
 *       groups, each list in the order its postings were added.
 *   merge(frames, starts, ranks) -> (frame, ends): the entries of sorted frames (bytes, each read from its start) up
 *       to the smallest of their last keys, in (ranks[field], term) order, a key's entries from several frames
 *       made one (their postings in frame order): no later frame of a run holds a key before that bound. ``ends``:
 *       where each frame's first entry not taken is (its length when none is left).
 *   trim(): gives the C library's free memory back to the system (glibc's ``malloc_trim``; elsewhere nothing). A
 *       cleared pool's many small buffers leave the heap full of holes that stay in the process's RSS.
 *
 * A posting in a buffer: the zigzag varint of its document minus the previous one's (0 before the first), the
 * weight (varint ``2 * w`` for an int, varint 1 then 8 bytes of double for a float), the value (varint 0 for
 * None, else its length + 1 then its bytes). A frame entry: varint field, varint term length, the term, varint
 * posting count, varint buffer length, the buffer. A packed posting: varint term length, the term, varint
 * frequency, then its weight and value as in a buffer. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

#define ALLOC_HEADER 16 /* what malloc adds to each block, for `nbytes` */
#define FIRST_CAP 24

typedef struct {
    uint64_t hash;
    unsigned char *data; /* the term's bytes, then its postings; NULL: an empty slot */
    uint32_t termlen, field;
    uint32_t len, cap; /* bytes used / allocated in data */
    uint32_t count;    /* postings */
    int64_t lastdoc;
} Entry;

typedef struct {
    PyObject_HEAD
    Entry *table;
    size_t mask; /* table size - 1 (a power of two) */
    size_t used;
    size_t nbytes;
    Entry **order; /* after `sort` */
    size_t sorted;
} Pool;

/* ---- varints ---- */

static int damaged(void) {
    PyErr_SetString(PyExc_ValueError, "damaged postings");
    return -1;
}

static inline unsigned char *put_varint(unsigned char *p, uint64_t n) {
    while (n > 0x7F) {
        *p++ = (unsigned char)((n & 0x7F) | 0x80);
        n >>= 7;
    }
    *p++ = (unsigned char)n;
    return p;
}

static inline int get_varint(const unsigned char **p, const unsigned char *end, uint64_t *out) {
    uint64_t n = 0;
    int shift = 0;
    while (*p < end && shift < 64) {
        unsigned char b = *(*p)++;
        n |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            *out = n;
            return 0;
        }
        shift += 7;
    }
    return damaged();
}

/* A posting's weight and value as a buffer holds them (see the top), read where they are. */
typedef struct {
    int is_float;
    uint64_t n; /* an int weight */
    double f;   /* a float weight */
    const unsigned char *value; /* NULL: None */
    Py_ssize_t vlen;
} WeightValue;

static int get_weight_value(const unsigned char **p, const unsigned char *end, WeightValue *wv) {
    uint64_t w, v;
    if (get_varint(p, end, &w) < 0) return -1;
    wv->is_float = w == 1;
    if (wv->is_float) {
        if (end - *p < 8) return damaged();
        memcpy(&wv->f, *p, 8);
        *p += 8;
    } else {
        wv->n = w >> 1;
    }
    if (get_varint(p, end, &v) < 0) return -1;
    if (v && (uint64_t)(end - *p) < v - 1) return damaged();
    wv->value = v ? *p : NULL;
    wv->vlen = v ? (Py_ssize_t)(v - 1) : 0;
    *p += wv->vlen;
    return 0;
}

/* The weight and the value as Python objects (new references); -1 with an error. */
static int weight_value_objects(const WeightValue *wv, PyObject **weight, PyObject **value) {
    *weight = wv->is_float ? PyFloat_FromDouble(wv->f) : PyLong_FromUnsignedLongLong(wv->n);
    *value = wv->value ? PyBytes_FromStringAndSize((const char *)wv->value, wv->vlen) : Py_NewRef(Py_None);
    if (*weight && *value) return 0;
    Py_CLEAR(*weight);
    Py_CLEAR(*value);
    return -1;
}

static inline uint64_t zigzag(int64_t n) { return ((uint64_t)n << 1) ^ (uint64_t)(n >> 63); }

static inline uint64_t hash_key(uint32_t field, const char *s, Py_ssize_t n) {
    uint64_t h = 1469598103934665603ULL ^ field; /* FNV-1a */
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    h ^= h >> 29;
    return h ? h : 1;
}

/* ---- the table ---- */

static void free_entries(Pool *self) {
    if (self->table) {
        for (size_t i = 0; i <= self->mask; i++) free(self->table[i].data);
        PyMem_Free(self->table);
    }
    PyMem_Free(self->order);
    self->table = NULL;
    self->order = NULL;
    self->sorted = 0;
    self->mask = 0;
    self->used = 0;
    self->nbytes = 0;
}

static int init_table(Pool *self, size_t size) {
    self->table = PyMem_Calloc(size, sizeof(Entry));
    if (!self->table) {
        PyErr_NoMemory();
        return -1;
    }
    self->mask = size - 1;
    self->nbytes = size * sizeof(Entry);
    return 0;
}

static int grow(Pool *self) {
    size_t size = (self->mask + 1) * 2;
    Entry *table = PyMem_Calloc(size, sizeof(Entry));
    if (!table) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i <= self->mask; i++) {
        Entry *e = &self->table[i];
        if (!e->data) continue;
        size_t j = e->hash & (size - 1);
        while (table[j].data) j = (j + 1) & (size - 1);
        table[j] = *e;
    }
    PyMem_Free(self->table);
    self->table = table;
    self->nbytes += (size / 2) * sizeof(Entry);
    self->mask = size - 1;
    return 0;
}

/* Room in the table for ``more`` new keys (grown now, so entries do not move while they are added). */
static int make_room(Pool *self, size_t more) {
    while ((self->used + more) * 10 > (self->mask + 1) * 7)
        if (grow(self) < 0) return -1;
    return 0;
}

static Entry *lookup_hashed(Pool *self, uint32_t field, const char *term, Py_ssize_t n, uint64_t h);

static Entry *lookup(Pool *self, uint32_t field, const char *term, Py_ssize_t n) {
    if (make_room(self, 1) < 0) return NULL;
    return lookup_hashed(self, field, term, n, hash_key(field, term, n));
}

/* The entry of (field, term), whose hash is ``h``, added when missing; the table must have room for it. */
static Entry *lookup_hashed(Pool *self, uint32_t field, const char *term, Py_ssize_t n, uint64_t h) {
    size_t i = h & self->mask;
    Entry *e;
    while ((e = &self->table[i])->data) {
        if (e->hash == h && e->field == field && e->termlen == (uint32_t)n && memcmp(e->data, term, n) == 0)
            return e;
        i = (i + 1) & self->mask;
    }
    uint32_t cap = (uint32_t)n + FIRST_CAP;
    e->data = malloc(cap);
    if (!e->data) {
        PyErr_NoMemory();
        return NULL;
    }
    memcpy(e->data, term, n);
    e->hash = h;
    e->field = field;
    e->termlen = e->len = (uint32_t)n;
    e->cap = cap;
    e->count = 0;
    e->lastdoc = 0;
    self->used++;
    self->nbytes += cap;
    return e;
}

static int reserve(Pool *self, Entry *e, size_t more) {
    if (e->len + more <= e->cap) return 0;
    size_t cap = (size_t)e->cap * 2;
    while (cap < e->len + more) cap *= 2;
    if (cap > UINT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "a term's postings outgrew the pool");
        return -1;
    }
    unsigned char *data = realloc(e->data, cap);
    if (!data) {
        PyErr_NoMemory();
        return -1;
    }
    self->nbytes += cap - e->cap;
    e->data = data;
    e->cap = (uint32_t)cap;
    return 0;
}

/* ---- Pool methods ---- */

/* A posting's weight and value, checked: ``*is_int`` with ``*wi``, else ``*wf`` (times ``boost``). */
static int read_posting(PyObject *tuple, double boost, PyObject **term, long long *freq, int *is_int,
                        long long *wi, double *wf, PyObject **value) {
    if (PyTuple_GET_SIZE(tuple) != 4) {
        PyErr_SetString(PyExc_ValueError, "a posting is (term, frequency, weight, value)");
        return -1;
    }
    *term = PyTuple_GET_ITEM(tuple, 0);
    PyObject *weight = PyTuple_GET_ITEM(tuple, 2);
    *value = PyTuple_GET_ITEM(tuple, 3);
    if (!PyBytes_Check(*term) || (*value != Py_None && !PyBytes_Check(*value))) {
        PyErr_SetString(PyExc_TypeError, "a posting's term and value are bytes (the value may be None)");
        return -1;
    }
    *freq = PyLong_AsLongLong(PyTuple_GET_ITEM(tuple, 1));
    if (*freq == -1 && PyErr_Occurred()) return -1;
    *is_int = PyLong_CheckExact(weight) && boost == 1.0;
    if (*is_int) {
        *wi = PyLong_AsLongLong(weight);
        if (*wi == -1 && PyErr_Occurred()) return -1;
        if (*wi < 0 || *wi > (1LL << 61)) *is_int = 0;
    }
    if (!*is_int) {
        *wf = PyFloat_AsDouble(weight);
        if (*wf == -1.0 && PyErr_Occurred()) return -1;
        if (boost != 1.0) *wf *= boost;
    }
    return 0;
}

/* Writes a weight and a value (room for 10 + 8 + 10 + the value's length bytes). */
static inline unsigned char *put_weight_value(unsigned char *p, int is_int, long long wi, double wf,
                                              const char *value, Py_ssize_t vlen) {
    if (is_int) {
        p = put_varint(p, (uint64_t)wi << 1);
    } else {
        *p++ = 1;
        memcpy(p, &wf, 8);
        p += 8;
    }
    if (!value) {
        *p++ = 0;
    } else {
        p = put_varint(p, (uint64_t)vlen + 1);
        memcpy(p, value, vlen);
        p += vlen;
    }
    return p;
}

/* Room in ``e`` for a posting of ``doc`` with ``room`` bytes of weight and value, its document delta written:
 * where the weight goes (`end_posting` closes the posting), or NULL with an error. */
static unsigned char *begin_posting(Pool *self, Entry *e, int64_t doc, size_t room) {
    if (reserve(self, e, 10 + room) < 0) return NULL;
    return put_varint(e->data + e->len, zigzag(doc - e->lastdoc));
}

static void end_posting(Entry *e, int64_t doc, const unsigned char *p) {
    e->len = (uint32_t)(p - e->data);
    e->lastdoc = doc;
    e->count++;
}

static int add_one(Pool *self, uint32_t field, int64_t doc, PyObject *item, double boost, long long *length) {
    PyObject *tuple = PyTuple_Check(item) ? (Py_INCREF(item), item) : PySequence_Tuple(item);
    if (!tuple) return -1;
    int rc = -1, is_int;
    PyObject *term, *value;
    long long f, wi = 0;
    double wf = 0;
    if (read_posting(tuple, boost, &term, &f, &is_int, &wi, &wf, &value) < 0) goto done;
    Py_ssize_t vlen = value == Py_None ? 0 : PyBytes_GET_SIZE(value);
    Entry *e = lookup(self, field, PyBytes_AS_STRING(term), PyBytes_GET_SIZE(term));
    unsigned char *p = e ? begin_posting(self, e, doc, 10 + 8 + 10 + (size_t)vlen) : NULL;
    if (!p) goto done;
    end_posting(e, doc, put_weight_value(p, is_int, wi, wf, value == Py_None ? NULL : PyBytes_AS_STRING(value), vlen));
    *length += f;
    rc = 0;
done:
    Py_DECREF(tuple);
    return rc;
}

static PyObject *Pool_add(Pool *self, PyObject *args) {
    unsigned int field;
    long long doc;
    PyObject *items;
    double boost = 1.0;
    if (!PyArg_ParseTuple(args, "ILO|d", &field, &doc, &items, &boost)) return NULL;
    if (!self->table && init_table(self, 1 << 12) < 0) return NULL;
    if (self->order) {
        PyErr_SetString(PyExc_RuntimeError, "the pool was sorted: clear it before adding");
        return NULL;
    }
    long long length = 0;
    if (PyList_CheckExact(items)) {
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++)
            if (add_one(self, field, doc, PyList_GET_ITEM(items, i), boost, &length) < 0) return NULL;
        return PyLong_FromLongLong(length);
    }
    PyObject *it = PyObject_GetIter(items), *item;
    if (!it) return NULL;
    while ((item = PyIter_Next(it))) {
        int rc = add_one(self, field, doc, item, boost, &length);
        Py_DECREF(item);
        if (rc < 0) {
            Py_DECREF(it);
            return NULL;
        }
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) return NULL;
    return PyLong_FromLongLong(length);
}

/* One posting of a packed field, read ahead of its lookup (see Pool_add_packed). */
typedef struct {
    const unsigned char *term, *at, *end; /* its term; its weight and value, up to end */
    uint64_t termlen, freq, hash;
    WeightValue wv;
    Entry *entry;
} Ahead;

#define AHEAD 64 /* postings read ahead: their table slots, then their buffers, are fetched while others wait */

/* Adds the postings read ahead, in order: the slots of their keys were prefetched by the caller; each key's
 * buffer is prefetched once found, and written to after the others are found. */
static int add_ahead(Pool *self, uint32_t field, int64_t doc, double boost, Ahead *ahead, int n) {
    for (int k = 0; k < n; k++) { /* a key found in its first slot (most are): its term and its buffer's end */
        const Entry *e = &self->table[ahead[k].hash & self->mask];
        if (e->data && e->hash == ahead[k].hash) {
            PREFETCH(e->data);
            PREFETCH(e->data + e->len);
        }
    }
    for (int k = 0; k < n; k++) {
        Ahead *a = &ahead[k];
        a->entry = lookup_hashed(self, field, (const char *)a->term, (Py_ssize_t)a->termlen, a->hash);
        if (!a->entry) return -1;
        PREFETCH(a->entry->data + a->entry->len);
    }
    for (int k = 0; k < n; k++) {
        Ahead *a = &ahead[k];
        Entry *e = a->entry;
        size_t room = boost == 1.0 ? (size_t)(a->end - a->at) : (size_t)(10 + 8 + 10 + a->wv.vlen);
        unsigned char *o = begin_posting(self, e, doc, room);
        if (!o) return -1;
        if (boost == 1.0) { /* the weight and value as they are */
            memcpy(o, a->at, a->end - a->at);
            o += a->end - a->at;
        } else { /* the weight as a float times boost */
            double w = (a->wv.is_float ? a->wv.f : (double)a->wv.n) * boost;
            o = put_weight_value(o, 0, 0, w, (const char *)a->wv.value, a->wv.vlen);
        }
        end_posting(e, doc, o);
    }
    return 0;
}

/* Like Pool_add, the postings read from ``packed`` `AHEAD` at a time: a large pool's table and buffers are far
 * bigger than the caches, and fetching a batch's slots together (then their buffers) overlaps the misses that
 * one lookup after another waits for in turn. */
static PyObject *Pool_add_packed(Pool *self, PyObject *args) {
    unsigned int field;
    long long doc;
    Py_buffer packed;
    double boost = 1.0;
    Ahead ahead[AHEAD];
    if (!PyArg_ParseTuple(args, "ILy*|d", &field, &doc, &packed, &boost)) return NULL;
    if (!self->table && init_table(self, 1 << 12) < 0) goto fail;
    if (self->order) {
        PyErr_SetString(PyExc_RuntimeError, "the pool was sorted: clear it before adding");
        goto fail;
    }
    const unsigned char *p = packed.buf, *end = p + packed.len;
    long long length = 0;
    while (p < end) {
        if (make_room(self, AHEAD) < 0) goto fail;
        int n = 0;
        for (; n < AHEAD && p < end; n++) {
            Ahead *a = &ahead[n];
            if (get_varint(&p, end, &a->termlen) < 0) goto fail;
            if (a->termlen > (uint64_t)(end - p)) goto damaged;
            a->term = p;
            p += a->termlen;
            if (get_varint(&p, end, &a->freq) < 0) goto fail;
            a->at = p;
            if (get_weight_value(&p, end, &a->wv) < 0) goto fail;
            a->end = p;
            a->hash = hash_key(field, (const char *)a->term, (Py_ssize_t)a->termlen);
            PREFETCH(&self->table[a->hash & self->mask]);
            length += (long long)a->freq;
        }
        if (add_ahead(self, field, doc, boost, ahead, n) < 0) goto fail;
    }
    PyBuffer_Release(&packed);
    return PyLong_FromLongLong(length);
damaged:
    damaged();
fail:
    PyBuffer_Release(&packed);
    return NULL;
}

/* A key to sort: its field's rank and its term's first 8 bytes (big-endian, zero-padded) kept beside the entry,
 * so most comparisons read no term: a large pool's terms are scattered far beyond the caches. */
typedef struct {
    long rank;
    uint64_t prefix;
    Entry *entry;
} SortKey;

static int compare(const void *a, const void *b) {
    const SortKey *x = a, *y = b;
    if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
    if (x->prefix != y->prefix) return x->prefix < y->prefix ? -1 : 1;
    const Entry *ex = x->entry, *ey = y->entry;
    uint32_t n = ex->termlen < ey->termlen ? ex->termlen : ey->termlen;
    int c = memcmp(ex->data, ey->data, n);
    if (c) return c;
    return ex->termlen < ey->termlen ? -1 : ex->termlen > ey->termlen;
}

static PyObject *Pool_sort(Pool *self, PyObject *arg) {
    PyObject *seq = PySequence_Fast(arg, "ranks: a sequence of ints");
    if (!seq) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    long *ranks = PyMem_Malloc((n ? n : 1) * sizeof(long));
    if (!ranks) {
        Py_DECREF(seq);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        ranks[i] = PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, i));
        if (ranks[i] == -1 && PyErr_Occurred()) {
            PyMem_Free(ranks);
            Py_DECREF(seq);
            return NULL;
        }
    }
    Py_DECREF(seq);
    PyMem_Free(self->order);
    self->order = NULL;
    SortKey *keys = PyMem_Malloc((self->used ? self->used : 1) * sizeof(SortKey));
    if (!keys) {
        PyMem_Free(ranks);
        return PyErr_NoMemory();
    }
    size_t k = 0;
    if (self->table)
        for (size_t i = 0; i <= self->mask; i++) {
            Entry *e = &self->table[i];
            if (!e->data) continue;
            uint64_t prefix = 0;
            for (uint32_t b = 0; b < 8; b++) prefix = (prefix << 8) | (b < e->termlen ? e->data[b] : 0);
            keys[k].rank = e->field < (uint32_t)n ? ranks[e->field] : (long)e->field;
            keys[k].prefix = prefix;
            keys[k++].entry = e;
        }
    PyMem_Free(ranks);
    qsort(keys, k, sizeof(SortKey), compare);
    Entry **order = (Entry **)keys; /* the entries in order, over the keys (each written before or where it is read) */
    for (size_t i = 0; i < k; i++) order[i] = keys[i].entry;
    Entry **shrunk = PyMem_Realloc(order, (k ? k : 1) * sizeof(Entry *));
    self->order = shrunk ? shrunk : order;
    self->sorted = k;
    return PyLong_FromSize_t(k);
}

static PyObject *Pool_frame(Pool *self, PyObject *args) {
    Py_ssize_t start, stop;
    if (!PyArg_ParseTuple(args, "nn", &start, &stop)) return NULL;
    if (!self->order) {
        PyErr_SetString(PyExc_RuntimeError, "sort the pool first");
        return NULL;
    }
    if (start < 0) start = 0;
    if (stop > (Py_ssize_t)self->sorted) stop = (Py_ssize_t)self->sorted;
    size_t size = 0;
    for (Py_ssize_t i = start; i < stop; i++) size += 40 + self->order[i]->len;
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)size);
    if (!out) return NULL;
    unsigned char *base = (unsigned char *)PyBytes_AS_STRING(out), *p = base;
    for (Py_ssize_t i = start; i < stop; i++) {
        Entry *e = self->order[i];
        p = put_varint(p, e->field);
        p = put_varint(p, e->termlen);
        memcpy(p, e->data, e->termlen);
        p += e->termlen;
        p = put_varint(p, e->count);
        p = put_varint(p, e->len - e->termlen);
        memcpy(p, e->data + e->termlen, e->len - e->termlen);
        p += e->len - e->termlen;
    }
    if (_PyBytes_Resize(&out, p - base) < 0) return NULL;
    return out;
}

static PyObject *Pool_clear(Pool *self, PyObject *Py_UNUSED(ignored)) {
    free_entries(self);
    Py_RETURN_NONE;
}

static PyObject *Pool_nbytes(Pool *self, void *Py_UNUSED(closure)) {
    return PyLong_FromSize_t(self->nbytes + self->used * ALLOC_HEADER);
}

static PyObject *Pool_terms(Pool *self, void *Py_UNUSED(closure)) { return PyLong_FromSize_t(self->used); }

static void Pool_dealloc(Pool *self) {
    free_entries(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef Pool_methods[] = {
    {"add", (PyCFunction)Pool_add, METH_VARARGS, "Adds one document's postings of one field; returns its length."},
    {"add_packed", (PyCFunction)Pool_add_packed, METH_VARARGS, "Adds one document's packed postings of one field."},
    {"sort", (PyCFunction)Pool_sort, METH_O, "Puts the keys in (field rank, term) order; returns their number."},
    {"frame", (PyCFunction)Pool_frame, METH_VARARGS, "The sorted keys [start, stop) and their postings, packed."},
    {"clear", (PyCFunction)Pool_clear, METH_NOARGS, "Empties the pool."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Pool_getset[] = {
    {"nbytes", (getter)Pool_nbytes, NULL, "The memory the pool holds.", NULL},
    {"terms", (getter)Pool_terms, NULL, "How many (field, term) keys the pool holds.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject PoolType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "searchidx.engines.whoosh._pool.Pool",
    .tp_basicsize = sizeof(Pool),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_dealloc = (destructor)Pool_dealloc,
    .tp_methods = Pool_methods,
    .tp_getset = Pool_getset,
    .tp_doc = "Postings packed by (field, term).",
};

/* ---- decoding a frame ---- */

/* A frame being read (decoded or merged): where, and its current entry. */
typedef struct {
    const unsigned char *p, *end; /* after the current entry; the frame's end */
    const unsigned char *at;      /* the current entry (NULL: none left) */
    uint64_t field, termlen, count, size;
    const unsigned char *term, *postings;
} Cursor;

/* Reads the entry at c->p into the cursor: 1, or 0 at the frame's end, or -1 with an error. */
static int next_entry(Cursor *c) {
    if (c->p >= c->end) {
        c->at = NULL;
        return 0;
    }
    c->at = c->p;
    if (get_varint(&c->p, c->end, &c->field) < 0 || get_varint(&c->p, c->end, &c->termlen) < 0) return -1;
    if (c->termlen > (uint64_t)(c->end - c->p)) return damaged();
    c->term = c->p;
    c->p += c->termlen;
    if (get_varint(&c->p, c->end, &c->count) < 0 || get_varint(&c->p, c->end, &c->size) < 0) return -1;
    if (c->size > (uint64_t)(c->end - c->p)) return damaged();
    c->postings = c->p;
    c->p += c->size;
    return 1;
}


static PyObject *decode_postings(const unsigned char *p, const unsigned char *end, uint64_t count) {
    if (count > (uint64_t)(end - p)) {
        damaged();
        return NULL;
    }
    PyObject *flat = PyList_New((Py_ssize_t)count * 3);
    if (!flat) return NULL;
    int64_t doc = 0;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t z;
        WeightValue wv;
        PyObject *weight, *value, *d;
        if (get_varint(&p, end, &z) < 0 || get_weight_value(&p, end, &wv) < 0 ||
            weight_value_objects(&wv, &weight, &value) < 0)
            goto fail;
        PyList_SET_ITEM(flat, 3 * i + 1, weight);
        PyList_SET_ITEM(flat, 3 * i + 2, value);
        doc += (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
        if (!(d = PyLong_FromLongLong(doc))) goto fail;
        PyList_SET_ITEM(flat, 3 * i, d);
    }
    if (p != end) goto damaged;
    return flat;
damaged:
    damaged();
fail:
    Py_DECREF(flat);
    return NULL;
}

static PyObject *decode(PyObject *Py_UNUSED(module), PyObject *args) {
    Py_buffer frame;
    PyObject *names;
    if (!PyArg_ParseTuple(args, "y*O!", &frame, &PyTuple_Type, &names)) return NULL;
    PyObject *out = PyList_New(0);
    Cursor c = {.p = frame.buf, .end = (const unsigned char *)frame.buf + frame.len};
    int rc = 0;
    while (out && (rc = next_entry(&c)) > 0) {
        if (c.field >= (uint64_t)PyTuple_GET_SIZE(names)) goto damaged;
        PyObject *flat = decode_postings(c.postings, c.postings + c.size, c.count);
        if (!flat) goto fail;
        PyObject *tbytes = PyBytes_FromStringAndSize((const char *)c.term, (Py_ssize_t)c.termlen);
        PyObject *group = tbytes ? PyTuple_Pack(3, PyTuple_GET_ITEM(names, c.field), tbytes, flat) : NULL;
        Py_XDECREF(tbytes);
        Py_DECREF(flat);
        if (!group || PyList_Append(out, group) < 0) {
            Py_XDECREF(group);
            goto fail;
        }
        Py_DECREF(group);
    }
    if (rc < 0) goto fail;
    PyBuffer_Release(&frame);
    return out;
damaged:
    damaged();
fail:
    Py_XDECREF(out);
    PyBuffer_Release(&frame);
    return NULL;
}

/* ---- packing a document's postings ---- */

typedef struct {
    unsigned char *data;
    size_t len, cap;
} Out;

static int out_reserve(Out *o, size_t more) {
    if (o->len + more <= o->cap) return 0;
    size_t cap = o->cap ? o->cap * 2 : 4096;
    while (cap < o->len + more) cap *= 2;
    unsigned char *data = PyMem_Realloc(o->data, cap);
    if (!data) {
        PyErr_NoMemory();
        return -1;
    }
    o->data = data;
    o->cap = cap;
    return 0;
}

static PyObject *out_bytes(Out *o) {
    PyObject *b = PyBytes_FromStringAndSize((const char *)o->data, (Py_ssize_t)o->len);
    PyMem_Free(o->data);
    return b;
}

static PyObject *pack(PyObject *Py_UNUSED(module), PyObject *items) {
    PyObject *seq = PySequence_Fast(items, "postings: a sequence of (term, frequency, weight, value)");
    if (!seq) return NULL;
    Out o = {NULL, 0, 0};
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
        PyObject *tuple = PySequence_Fast_GET_ITEM(seq, i), *term, *value;
        long long f, wi = 0;
        double wf = 0;
        int is_int;
        if (!PyTuple_Check(tuple)) {
            PyErr_SetString(PyExc_TypeError, "a posting is a tuple");
            goto fail;
        }
        if (read_posting(tuple, 1.0, &term, &f, &is_int, &wi, &wf, &value) < 0) goto fail;
        if (f < 0) {
            PyErr_SetString(PyExc_ValueError, "a negative frequency");
            goto fail;
        }
        Py_ssize_t tlen = PyBytes_GET_SIZE(term), vlen = value == Py_None ? 0 : PyBytes_GET_SIZE(value);
        if (out_reserve(&o, 10 + tlen + 10 + 10 + 8 + 10 + vlen) < 0) goto fail;
        unsigned char *p = put_varint(o.data + o.len, (uint64_t)tlen);
        memcpy(p, PyBytes_AS_STRING(term), tlen);
        p = put_varint(p + tlen, (uint64_t)f);
        p = put_weight_value(p, is_int, wi, wf, value == Py_None ? NULL : PyBytes_AS_STRING(value), vlen);
        o.len = p - o.data;
    }
    Py_DECREF(seq);
    return out_bytes(&o);
fail:
    Py_DECREF(seq);
    PyMem_Free(o.data);
    return NULL;
}

static PyObject *pack_counts(PyObject *Py_UNUSED(module), PyObject *terms) {
    if (!PyList_Check(terms)) {
        PyErr_SetString(PyExc_TypeError, "terms: a list of str");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(terms);
    PyObject *index = PyDict_New(); /* term -> its place in `order` */
    PyObject **order = PyMem_Malloc((n ? n : 1) * sizeof(PyObject *));
    long *counts = PyMem_Malloc((n ? n : 1) * sizeof(long));
    Out o = {NULL, 0, 0};
    Py_ssize_t k = 0;
    if (!index || !order || !counts) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *t = PyList_GET_ITEM(terms, i);
        if (!PyUnicode_Check(t)) {
            PyErr_SetString(PyExc_TypeError, "terms: a list of str");
            goto fail;
        }
        PyObject *at = PyDict_GetItemWithError(index, t);
        if (at) {
            counts[PyLong_AS_LONG(at)]++;
            continue;
        }
        if (PyErr_Occurred()) goto fail;
        PyObject *place = PyLong_FromSsize_t(k);
        if (!place || PyDict_SetItem(index, t, place) < 0) {
            Py_XDECREF(place);
            goto fail;
        }
        Py_DECREF(place);
        order[k] = t;
        counts[k++] = 1;
    }
    for (Py_ssize_t j = 0; j < k; j++) {
        Py_ssize_t tlen;
        const char *term = PyUnicode_AsUTF8AndSize(order[j], &tlen);
        if (!term || out_reserve(&o, 10 + tlen + 10 + 10 + 1 + 4) < 0) goto fail;
        unsigned char *p = put_varint(o.data + o.len, (uint64_t)tlen);
        memcpy(p, term, tlen);
        p = put_varint(p + tlen, (uint64_t)counts[j]);
        p = put_varint(p, (uint64_t)counts[j] << 1);
        *p++ = 5; /* a 4-byte value: pack_uint(n), big-endian */
        uint32_t c = (uint32_t)counts[j];
        *p++ = (unsigned char)(c >> 24);
        *p++ = (unsigned char)(c >> 16);
        *p++ = (unsigned char)(c >> 8);
        *p++ = (unsigned char)c;
        o.len = p - o.data;
    }
    Py_DECREF(index);
    PyMem_Free(order);
    PyMem_Free(counts);
    return out_bytes(&o);
fail:
    Py_XDECREF(index);
    PyMem_Free(order);
    PyMem_Free(counts);
    PyMem_Free(o.data);
    return NULL;
}

static PyObject *unpack(PyObject *Py_UNUSED(module), PyObject *arg) {
    Py_buffer packed;
    if (PyObject_GetBuffer(arg, &packed, PyBUF_SIMPLE) < 0) return NULL;
    PyObject *out = PyList_New(0);
    const unsigned char *p = packed.buf, *end = p + packed.len;
    while (out && p < end) {
        uint64_t termlen, freq;
        WeightValue wv;
        PyObject *weight, *value, *tuple;
        if (get_varint(&p, end, &termlen) < 0) goto fail;
        if (termlen > (uint64_t)(end - p)) goto damaged;
        const unsigned char *term = p;
        p += termlen;
        if (get_varint(&p, end, &freq) < 0 || get_weight_value(&p, end, &wv) < 0 ||
            weight_value_objects(&wv, &weight, &value) < 0)
            goto fail;
        tuple = Py_BuildValue("(y#KNN)", (const char *)term, (Py_ssize_t)termlen, (unsigned long long)freq, weight,
                              value);
        if (!tuple || PyList_Append(out, tuple) < 0) {
            Py_XDECREF(tuple);
            goto fail;
        }
        Py_DECREF(tuple);
    }
    PyBuffer_Release(&packed);
    return out;
damaged:
    damaged();
fail:
    Py_XDECREF(out);
    PyBuffer_Release(&packed);
    return NULL;
}

/* ---- merging runs' frames ---- */

static inline long field_rank(const long *ranks, Py_ssize_t n, uint64_t field) {
    return field < (uint64_t)n ? ranks[field] : (long)field;
}

/* (rank, term) order of two cursors' entries, as `Pool.sort` orders a frame. */
static int compare_entries(const Cursor *a, const Cursor *b, const long *ranks, Py_ssize_t n) {
    long ra = field_rank(ranks, n, a->field), rb = field_rank(ranks, n, b->field);
    if (ra != rb) return ra < rb ? -1 : 1;
    uint64_t len = a->termlen < b->termlen ? a->termlen : b->termlen;
    int c = memcmp(a->term, b->term, len);
    if (c) return c;
    return a->termlen < b->termlen ? -1 : a->termlen > b->termlen;
}

/* The document of a buffer's last posting (its first's is its first delta), or -1 with an error. */
static int last_doc(const unsigned char *p, const unsigned char *end, uint64_t count, int64_t *doc) {
    int64_t d = 0;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t z;
        WeightValue wv;
        if (get_varint(&p, end, &z) < 0 || get_weight_value(&p, end, &wv) < 0) return -1;
        d += (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
    }
    if (p != end) return damaged();
    *doc = d;
    return 0;
}

/* Appends one key's entries (``k`` cursors, in run order) as one entry: their buffers concatenated, each
 * buffer's first document delta taken from the last document of the buffer before it. */
static int put_merged(Out *o, Cursor **same, Py_ssize_t k, uint64_t *firsts, const unsigned char **rests) {
    Cursor *first = same[0];
    if (k == 1) {
        size_t n = first->p - first->at;
        if (out_reserve(o, n) < 0) return -1;
        memcpy(o->data + o->len, first->at, n);
        o->len += n;
        return 0;
    }
    uint64_t count = 0, size = 0;
    int64_t last = 0;
    for (Py_ssize_t j = 0; j < k; j++) {
        Cursor *c = same[j];
        const unsigned char *p = c->postings, *end = c->postings + c->size;
        uint64_t z;
        if (!c->count) return damaged();
        if (get_varint(&p, end, &z) < 0) return -1;
        int64_t doc = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
        unsigned char tmp[10];
        firsts[j] = zigzag(doc - last);
        rests[j] = p;
        size += (uint64_t)(put_varint(tmp, firsts[j]) - tmp) + (uint64_t)(end - p);
        count += c->count;
        if (j + 1 < k && last_doc(c->postings, end, c->count, &last) < 0) return -1;
    }
    if (out_reserve(o, 40 + first->termlen + size) < 0) return -1;
    unsigned char *p = o->data + o->len;
    p = put_varint(p, first->field);
    p = put_varint(p, first->termlen);
    memcpy(p, first->term, first->termlen);
    p = put_varint(p + first->termlen, count);
    p = put_varint(p, size);
    for (Py_ssize_t j = 0; j < k; j++) {
        const unsigned char *end = same[j]->postings + same[j]->size;
        p = put_varint(p, firsts[j]);
        memcpy(p, rests[j], end - rests[j]);
        p += end - rests[j];
    }
    o->len = p - o->data;
    return 0;
}

static PyObject *merge(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *frames_arg, *starts_arg, *ranks_arg;
    if (!PyArg_ParseTuple(args, "OOO", &frames_arg, &starts_arg, &ranks_arg)) return NULL;
    PyObject *frames = PySequence_Fast(frames_arg, "frames: a sequence of bytes");
    PyObject *starts = frames ? PySequence_Fast(starts_arg, "starts: a sequence of ints") : NULL;
    PyObject *rank_seq = starts ? PySequence_Fast(ranks_arg, "ranks: a sequence of ints") : NULL;
    PyObject *result = NULL, *ends = NULL;
    long *ranks = NULL;
    Out o = {NULL, 0, 0};
    Cursor *cursors = NULL, **same = NULL;
    uint64_t *firsts = NULL;
    const unsigned char **rests = NULL;
    if (!rank_seq) goto done;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(frames), nranks = PySequence_Fast_GET_SIZE(rank_seq);
    if (PySequence_Fast_GET_SIZE(starts) != n) {
        PyErr_SetString(PyExc_ValueError, "merge: one start for each frame");
        goto done;
    }
    size_t slots = n ? (size_t)n : 1;
    cursors = PyMem_Malloc(slots * sizeof(Cursor));
    same = PyMem_Malloc(slots * sizeof(Cursor *));
    firsts = PyMem_Malloc(slots * sizeof(uint64_t));
    rests = PyMem_Malloc(slots * sizeof(const unsigned char *));
    if (!cursors || !same || !firsts || !rests || !(ranks = PyMem_Malloc((nranks ? nranks : 1) * sizeof(long)))) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < nranks; i++)
        if ((ranks[i] = PyLong_AsLong(PySequence_Fast_GET_ITEM(rank_seq, i))) == -1 && PyErr_Occurred()) goto done;
    /* each frame's last entry: the merge takes the keys up to the smallest of them (no frame after these holds one) */
    Cursor bound = {.p = NULL};
    int have_bound = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *frame = PySequence_Fast_GET_ITEM(frames, i);
        Py_ssize_t start = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(starts, i));
        if (start == -1 && PyErr_Occurred()) goto done;
        if (!PyBytes_Check(frame) || start < 0 || start > PyBytes_GET_SIZE(frame)) {
            PyErr_SetString(PyExc_ValueError, "merge: a frame is bytes, its start within it");
            goto done;
        }
        const unsigned char *base = (const unsigned char *)PyBytes_AS_STRING(frame);
        Cursor c = {.p = base + start, .end = base + PyBytes_GET_SIZE(frame)}, last = {.p = NULL};
        int rc;
        while ((rc = next_entry(&c)) > 0) last = c;
        if (rc < 0) goto done;
        if (last.at && (!have_bound || compare_entries(&last, &bound, ranks, nranks) < 0)) {
            bound = last;
            have_bound = 1;
        }
        cursors[i] = (Cursor){.p = base + start, .end = base + PyBytes_GET_SIZE(frame)};
        if (next_entry(&cursors[i]) < 0) goto done;
    }
    for (;;) {
        Py_ssize_t k = 0;
        for (Py_ssize_t i = 0; i < n; i++) {
            Cursor *c = &cursors[i];
            if (!c->at || compare_entries(c, &bound, ranks, nranks) > 0) continue;
            int cmp = k ? compare_entries(c, same[0], ranks, nranks) : -1;
            if (cmp < 0) k = 0;
            if (cmp <= 0) same[k++] = c;
        }
        if (!k) break;
        if (put_merged(&o, same, k, firsts, rests) < 0) goto done;
        for (Py_ssize_t j = 0; j < k; j++)
            if (next_entry(same[j]) < 0) goto done;
    }
    if (!(ends = PyList_New(n))) goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        const unsigned char *base = (const unsigned char *)PyBytes_AS_STRING(PySequence_Fast_GET_ITEM(frames, i));
        PyObject *end = PyLong_FromSsize_t((cursors[i].at ? cursors[i].at : cursors[i].end) - base);
        if (!end) goto done;
        PyList_SET_ITEM(ends, i, end);
    }
    PyObject *merged = PyBytes_FromStringAndSize((const char *)o.data, (Py_ssize_t)o.len);
    if (merged) result = Py_BuildValue("(NO)", merged, ends);
done:
    PyMem_Free(o.data);
    PyMem_Free(ranks);
    PyMem_Free(cursors);
    PyMem_Free(same);
    PyMem_Free(firsts);
    PyMem_Free(rests);
    Py_XDECREF(ends);
    Py_XDECREF(rank_seq);
    Py_XDECREF(starts);
    Py_XDECREF(frames);
    return result;
}

static PyObject *trim(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(ignored)) {
#ifdef __GLIBC__
    Py_BEGIN_ALLOW_THREADS
    malloc_trim(0);
    Py_END_ALLOW_THREADS
#endif
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"pack", pack, METH_O, "Postings (term, frequency, weight, value) packed for Pool.add_packed."},
    {"pack_counts", pack_counts, METH_O, "The packed Frequency-format postings of a list of terms."},
    {"unpack", unpack, METH_O, "The postings packed by pack."},
    {"decode", decode, METH_VARARGS, "A frame's (field name, term, [doc, weight, value, ...]) groups."},
    {"merge", merge, METH_VARARGS, "The entries of sorted frames up to the smallest last key, merged by key."},
    {"trim", trim, METH_NOARGS, "Gives the C library's free memory back to the system (glibc)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pool", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__pool(void) {
    if (PyType_Ready(&PoolType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    if (PyModule_AddObjectRef(m, "Pool", (PyObject *)&PoolType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
