/* The analyzer's chunks in C: ``findall(text)`` gives what ``analysis._CHUNK_FIND.findall(text)`` gives (the
 * regular expression stays as the fallback when this module was not built, and for the query side, which
 * needs offsets); ``lookup(text, cache)`` gives the same chunks each replaced by ``cache[chunk]`` where the dict
 * has it, and the positions of those it has not (`analysis.indexed_plans`: the loop and its lookups in C). At each position, the first of these that matches, as the expression's backtracking finds it:
 *
 *   dotted acronym   (?<!A)(?:ELIDED)?L(?:\.L)+\.?(?!A)            l'O.N.U., U.S.A
 *   grouped number   \d{1,3}(?:[ NBSP NNBSP]\d{3})+(?:,\d+)?(?!A)  1 000 000,5
 *   decimal number   \d+(?:[.,]\d+)+(?!A)                           839.000, 8,5
 *   word             A+(?:[CONNECTORS]A+)*                          aujourd'hui, États-Unis
 *
 * where A is a word character of `re` (Unicode \w) or a combining accent (U+0300-U+036F), L a letter (\w but not
 * a decimal digit or "_"), \d a decimal digit, ELIDED an elided article of `analysis.ELISIONS` in any case
 * followed by an apostrophe of `analysis.APOSTROPHES`, CONNECTORS those apostrophes and hyphens. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef struct {
    int kind;
    const void *data;
    Py_ssize_t n;
} Text;

static Py_UCS4 at(const Text *t, Py_ssize_t i) { return PyUnicode_READ(t->kind, t->data, i); }

static int is_a(Py_UCS4 c) { return Py_UNICODE_ISALNUM(c) || c == '_' || (c >= 0x300 && c <= 0x36F); }
static int is_l(Py_UCS4 c) { return Py_UNICODE_ISALNUM(c) && !Py_UNICODE_ISDECIMAL(c); }
static int is_d(Py_UCS4 c) { return Py_UNICODE_ISDECIMAL(c); }
static int is_apostrophe(Py_UCS4 c) { return c == '\'' || c == 0x2019 || c == 0x2BC || c == 0x2018 || c == 0xFF07; }
static int is_connector(Py_UCS4 c) { return is_apostrophe(c) || c == '-' || c == 0x2010 || c == 0x2011; }
static int is_num_space(Py_UCS4 c) { return c == ' ' || c == 0xA0 || c == 0x202F; }

/* A at i (false past the end) */
static int a_at(const Text *t, Py_ssize_t i) { return i < t->n && is_a(at(t, i)); }

static const char *ELIDED[] = {"puisqu", "lorsqu", "quoiqu", "jusqu", "qu", "l", "s", "t", "c", "j", "m", "d", "n", NULL};

/* a character as `re` compares it with an ASCII letter when ignoring case */
static Py_UCS4 caseless(Py_UCS4 c) {
    if (c >= 'A' && c <= 'Z') return c + ('a' - 'A');
    if (c == 0x130 || c == 0x131) return 'i'; /* İ, ı */
    if (c == 0x17F) return 's';               /* ſ */
    if (c == 0x212A) return 'k';              /* Kelvin sign */
    return c;
}

/* after an elided article and its apostrophe at i, or -1 */
static Py_ssize_t after_elided(const Text *t, Py_ssize_t i) {
    for (const char **e = ELIDED; *e; e++) {
        Py_ssize_t len = (Py_ssize_t)strlen(*e), q;
        if (i + len >= t->n) continue;
        for (q = 0; q < len && caseless(at(t, i + q)) == (Py_UCS4)(*e)[q]; q++)
            ;
        if (q == len && is_apostrophe(at(t, i + len))) return i + len + 1;
    }
    return -1;
}

/* L(?:\.L)+\.?(?!A) at p: its end, or -1 */
static Py_ssize_t acronym_core(const Text *t, Py_ssize_t p) {
    if (p >= t->n || !is_l(at(t, p))) return -1;
    Py_ssize_t e = p + 1, last = -1;
    while (e + 1 < t->n && at(t, e) == '.' && is_l(at(t, e + 1))) {
        e += 2;
        last = e;
    }
    if (last < 0) return -1;
    for (e = last; e >= p + 3; e -= 2) { /* fewer repetitions, each with the full stop first */
        if (e < t->n && at(t, e) == '.' && !a_at(t, e + 1)) return e + 1;
        if (!a_at(t, e)) return e;
    }
    return -1;
}

static Py_ssize_t acronym(const Text *t, Py_ssize_t i) {
    if (i > 0 && is_a(at(t, i - 1))) return -1;
    Py_ssize_t p = after_elided(t, i), end = -1;
    if (p >= 0) end = acronym_core(t, p);
    return end >= 0 ? end : acronym_core(t, i);
}

static Py_ssize_t digits(const Text *t, Py_ssize_t i) {
    Py_ssize_t j = i;
    while (j < t->n && is_d(at(t, j))) j++;
    return j - i;
}

static Py_ssize_t grouped(const Text *t, Py_ssize_t i) {
    Py_ssize_t run = digits(t, i);
    if (run < 1 || run > 3) return -1;
    Py_ssize_t e = i + run, first = e;
    while (e + 3 < t->n && is_num_space(at(t, e)) && is_d(at(t, e + 1)) && is_d(at(t, e + 2)) && is_d(at(t, e + 3)))
        e += 4;
    for (; e > first; e -= 4) { /* fewer groups, each with its decimals first */
        if (e + 1 < t->n && at(t, e) == ',' && is_d(at(t, e + 1))) {
            Py_ssize_t m = e + 1 + digits(t, e + 1);
            if (!a_at(t, m)) return m;
        }
        if (!a_at(t, e)) return e;
    }
    return -1;
}

static Py_ssize_t decimal(const Text *t, Py_ssize_t i) {
    Py_ssize_t e = i + digits(t, i), best = -1;
    if (e == i) return -1;
    while (e + 1 < t->n && (at(t, e) == '.' || at(t, e) == ',') && is_d(at(t, e + 1))) {
        e += 1 + digits(t, e + 1);
        if (!a_at(t, e)) best = e; /* the longest repetition that the lookahead accepts */
    }
    return best;
}

static Py_ssize_t word(const Text *t, Py_ssize_t i) {
    Py_ssize_t e = i;
    for (;;) {
        while (e < t->n && is_a(at(t, e))) e++;
        if (e + 1 < t->n && is_connector(at(t, e)) && is_a(at(t, e + 1))) {
            e++;
            continue;
        }
        return e;
    }
}

/* The chunks of ``arg`` appended to ``out``; with a ``cache`` dict, a chunk found in it is replaced by its value
 * and the positions in ``out`` of the chunks not found are appended to ``missing``. */
static int scan(PyObject *arg, PyObject *cache, PyObject *out, PyObject *missing) {
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "the text must be a str");
        return -1;
    }
    if (PyUnicode_READY(arg) < 0) return -1;
    Text t = {PyUnicode_KIND(arg), PyUnicode_DATA(arg), PyUnicode_GET_LENGTH(arg)};
    Py_ssize_t i = 0;
    while (i < t.n) {
        Py_UCS4 c = at(&t, i);
        Py_ssize_t end = -1;
        if (is_a(c)) {
            end = acronym(&t, i);
            if (end < 0 && is_d(c)) {
                end = grouped(&t, i);
                if (end < 0) end = decimal(&t, i);
            }
            if (end < 0) end = word(&t, i);
        }
        if (end < 0) {
            i++;
            continue;
        }
        PyObject *chunk = PyUnicode_Substring(arg, i, end);
        if (!chunk) return -1;
        PyObject *item = chunk;
        if (cache) {
            PyObject *found = PyDict_GetItemWithError(cache, chunk); /* borrowed */
            if (found) {
                item = found;
            } else {
                PyObject *at_index = PyErr_Occurred() ? NULL : PyLong_FromSsize_t(PyList_GET_SIZE(out));
                int failed = !at_index || PyList_Append(missing, at_index) < 0;
                Py_XDECREF(at_index);
                if (failed) {
                    Py_DECREF(chunk);
                    return -1;
                }
            }
        }
        int failed = PyList_Append(out, item) < 0;
        Py_DECREF(chunk);
        if (failed) return -1;
        i = end;
    }
    return 0;
}

static PyObject *findall(PyObject *self, PyObject *arg) {
    (void)self;
    PyObject *out = PyList_New(0);
    if (out && scan(arg, NULL, out, NULL) < 0) Py_CLEAR(out);
    return out;
}

static PyObject *lookup(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *text, *cache;
    if (!PyArg_ParseTuple(args, "OO!", &text, &PyDict_Type, &cache)) return NULL;
    PyObject *out = PyList_New(0), *missing = PyList_New(0), *result = NULL;
    if (out && missing && scan(text, cache, out, missing) == 0) result = PyTuple_Pack(2, out, missing);
    Py_XDECREF(out);
    Py_XDECREF(missing);
    return result;
}

static PyMethodDef methods[] = {
    {"findall", findall, METH_O, "The chunks of a text, as analysis._CHUNK_FIND.findall gives them."},
    {"lookup", lookup, METH_VARARGS, "findall's chunks, each replaced by its value in a cache; the others' positions."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_chunks", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__chunks(void) { return PyModule_Create(&module); }
