/* The built-in extractor's tokenizer in C: what `tokens.tokenize` does in Python (which stays as the fallback
 * when this module was not built), with its tokens as objects of a small C type instead of a dataclass.
 *
 *   tokenize(text, cache, info) -> [Tok, ...]
 *       The matches of `vocabulary.TOKEN` over ``text`` (an honorific before a capitalised word, a word, a
 *       punctuation mark; other characters are skipped), each word split after an elided article ("l'", "qu'"
 *       ...) and stripped of trailing apostrophes. A word's (cap, conn, key, in capitals) is ``cache[word]``, else
 *       ``info(word)`` (`tokens._word_info`, which fills the cache). Sentence starts and headings in capitals
 *       (three or more words in a row: not names, and the token after them starts a sentence) as in Python.
 *   Tok: text, kind ("word", "hon" or "punct"), start, end, cap, sent, conn, key; every attribute settable.
 *   word_starts(text, sets) -> (positions, ...): per set (or dict), where a run of re's \w characters in it
 *       begins (`patterns.text_mentions` tries its patterns there only: each begins with such a word). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

typedef struct {
    PyObject_HEAD
    PyObject *text, *kind, *key;
    Py_ssize_t start, end;
    char cap, sent, conn;
} Tok;

static void tok_dealloc(Tok *t) {
    Py_XDECREF(t->text);
    Py_XDECREF(t->kind);
    Py_XDECREF(t->key);
    Py_TYPE(t)->tp_free((PyObject *)t);
}

static PyObject *tok_repr(Tok *t) {
    return PyUnicode_FromFormat("Tok(text=%R, kind=%R, start=%zd, end=%zd, cap=%s, sent=%s, conn=%s, key=%R)", t->text,
                                t->kind, t->start, t->end, t->cap ? "True" : "False", t->sent ? "True" : "False",
                                t->conn ? "True" : "False", t->key);
}

static PyMemberDef tok_members[] = {
    {"text", T_OBJECT_EX, offsetof(Tok, text), 0, NULL},
    {"kind", T_OBJECT_EX, offsetof(Tok, kind), 0, NULL},
    {"key", T_OBJECT_EX, offsetof(Tok, key), 0, NULL},
    {"start", T_PYSSIZET, offsetof(Tok, start), 0, NULL},
    {"end", T_PYSSIZET, offsetof(Tok, end), 0, NULL},
    {"cap", T_BOOL, offsetof(Tok, cap), 0, NULL},
    {"sent", T_BOOL, offsetof(Tok, sent), 0, NULL},
    {"conn", T_BOOL, offsetof(Tok, conn), 0, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyTypeObject TokType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "searchidx.entities._tokens.Tok",
    .tp_basicsize = sizeof(Tok),
    .tp_dealloc = (destructor)tok_dealloc,
    .tp_repr = (reprfunc)tok_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A token of an article's text (see tokens.Tok).",
    .tp_members = tok_members,
};

static PyObject *WORD, *HON, *PUNCT, *EMPTY;

/* the character classes of `vocabulary` */
static int is_w(Py_UCS4 c) { /* _WORD: [0-9A-Za-zÀ-ÖØ-öø-ÿœŒæÆ] */
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= 0xC0 && c <= 0xD6) || (c >= 0xD8 && c <= 0xF6) || (c >= 0xF8 && c <= 0xFF) || c == 0x152 ||
           c == 0x153;
}
static int is_up(Py_UCS4 c) { /* UP: A-ZÀ-ÖØ-ÞŒÆ */
    return (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xD6) || (c >= 0xD8 && c <= 0xDE) || c == 0x152;
}
static int is_re_word(Py_UCS4 c) { return Py_UNICODE_ISALNUM(c) || c == '_'; } /* re's \w */
static int is_apos(Py_UCS4 c) { return c == '\'' || c == 0x2019; }
static int is_punct(Py_UCS4 c) {
    switch (c) {
    case '.': case '!': case '?': case 0x2026: case ':': case ';': case 0xAB: case 0xBB: case '"': case 0x201C:
    case 0x201D: case '(': case ')': case '[': case ']': case '\n': case ',': case '|': case 0x2014: case 0x2013:
        return 1;
    }
    return 0;
}
static int ends_sentence(Py_UCS4 c) { return is_punct(c) && c != '(' && c != ')' && c != '[' && c != ']' && c != ','; }

static const char *HONORIFICS[] = {"M", "MM", "Mme", "Mlle", "Dr", "Mgr", "Me", "Pr", "St", "Ste", NULL};
static const char *ELIDED[] = {"l", "d", "qu", "jusqu", "lorsqu", "puisqu", "s", "n", "j", "m", "t", "c", NULL};

/* \s+[UP] at k */
static int before_capital(int kind, const void *data, Py_ssize_t n, Py_ssize_t k) {
    if (k >= n || !Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, k))) return 0;
    while (k < n && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, k))) k++;
    return k < n && is_up(PyUnicode_READ(kind, data, k));
}

/* the end of an honorific at i (the regex's first alternative that matches), or -1 */
static Py_ssize_t honorific(int kind, const void *data, Py_ssize_t n, Py_ssize_t i) {
    if (i > 0 && is_re_word(PyUnicode_READ(kind, data, i - 1))) return -1;
    for (const char **h = HONORIFICS; *h; h++) {
        Py_ssize_t len = (Py_ssize_t)strlen(*h), j;
        if (i + len > n) continue;
        for (j = 0; j < len && PyUnicode_READ(kind, data, i + j) == (Py_UCS4)(*h)[j]; j++)
            ;
        if (j < len) continue;
        j = i + len;
        if (j < n && PyUnicode_READ(kind, data, j) == '.' && before_capital(kind, data, n, j + 1)) return j + 1;
        if (before_capital(kind, data, n, j)) return j;
    }
    return -1;
}

/* the end of a word at i (W+(?:[-'’&.]W+)*'?’?), i being a W character */
static Py_ssize_t word_end(int kind, const void *data, Py_ssize_t n, Py_ssize_t i) {
    Py_ssize_t j = i;
    for (;;) {
        while (j < n && is_w(PyUnicode_READ(kind, data, j))) j++;
        if (j + 1 < n) {
            Py_UCS4 c = PyUnicode_READ(kind, data, j);
            if ((c == '-' || c == '\'' || c == 0x2019 || c == '&' || c == '.') && is_w(PyUnicode_READ(kind, data, j + 1))) {
                j++;
                continue;
            }
        }
        break;
    }
    if (j < n && PyUnicode_READ(kind, data, j) == '\'') j++;
    if (j < n && PyUnicode_READ(kind, data, j) == 0x2019) j++;
    return j;
}

/* the length of an elided article's letters at the start of text[i:j] ("l" of "l'Élysée"), or 0 */
static Py_ssize_t elided(int kind, const void *data, Py_ssize_t i, Py_ssize_t j) {
    Py_ssize_t p = i;
    while (p < j && !is_apos(PyUnicode_READ(kind, data, p))) p++;
    if (p == j || p - i > 6) return 0;
    for (const char **e = ELIDED; *e; e++) {
        Py_ssize_t len = (Py_ssize_t)strlen(*e), q;
        if (len != p - i) continue;
        for (q = 0; q < len; q++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i + q);
            if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
            if (c != (Py_UCS4)(*e)[q]) break;
        }
        if (q == len) return len;
    }
    return 0;
}

static Tok *new_tok(PyObject *text, PyObject *kind, Py_ssize_t start, Py_ssize_t end, int cap, int sent, int conn,
                    PyObject *key) { /* steals ``text`` */
    if (!text) return NULL;
    Tok *t = PyObject_New(Tok, &TokType);
    if (!t) {
        Py_DECREF(text);
        return NULL;
    }
    t->text = text;
    Py_INCREF(kind);
    t->kind = kind;
    Py_INCREF(key);
    t->key = key;
    t->start = start;
    t->end = end;
    t->cap = (char)cap;
    t->sent = (char)sent;
    t->conn = (char)conn;
    return t;
}

/* `tokens._end_run`: a run of three or more words in capitals is a heading */
static Py_ssize_t end_run(PyObject *toks, Py_ssize_t run, Tok *after) {
    if (run >= 3) {
        Py_ssize_t n = PyList_GET_SIZE(toks);
        for (Py_ssize_t k = n - run; k < n; k++) ((Tok *)PyList_GET_ITEM(toks, k))->cap = 0;
        if (after) after->sent = 1;
    }
    return 0;
}

static int append(PyObject *toks, Tok *t) {
    if (!t) return -1;
    int r = PyList_Append(toks, (PyObject *)t);
    Py_DECREF(t);
    return r;
}

static int is_upper_ascii_prefix(int kind, const void *data, Py_ssize_t i, Py_ssize_t len) {
    for (Py_ssize_t q = 0; q < len; q++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i + q);
        if (!(c >= 'A' && c <= 'Z')) return 0;
    }
    return 1;
}

static PyObject *tokenize(PyObject *self, PyObject *args) {
    PyObject *text, *cache, *info;
    if (!PyArg_ParseTuple(args, "UO!O:tokenize", &text, &PyDict_Type, &cache, &info)) return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), i = 0, run = 0;
    int sent = 1;
    PyObject *toks = PyList_New(0);
    if (!toks) return NULL;
    while (i < n) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        Py_ssize_t end = -1;
        Tok *tok;
        int upper = 0;
        if (is_up(c) && (end = honorific(kind, data, n, i)) >= 0) {
            Py_ssize_t stop = end;
            while (stop > i && PyUnicode_READ(kind, data, stop - 1) == '.') stop--;
            tok = new_tok(PyUnicode_Substring(text, i, stop), HON, i, end, 0, 0, 0, EMPTY);
        } else if (is_w(c)) {
            end = word_end(kind, data, n, i);
            Py_ssize_t start = i, stop = end;
            int apostrophe = 0;
            for (Py_ssize_t q = i; q < end; q++) apostrophe |= is_apos(PyUnicode_READ(kind, data, q));
            if (apostrophe) {
                Py_ssize_t len = elided(kind, data, i, end);
                if (len && end - (i + len + 1) > 1) { /* the article, then the rest of the word */
                    PyObject *letters = PyUnicode_Substring(text, i, i + len);
                    PyObject *el = letters ? PyUnicode_FromFormat("%U'", letters) : NULL;
                    PyObject *low = el ? PyObject_CallMethod(el, "lower", NULL) : NULL;
                    Py_XDECREF(letters);
                    if (!low) {
                        Py_XDECREF(el);
                        goto fail;
                    }
                    Py_UCS4 first = PyUnicode_READ(kind, data, i);
                    Tok *art = new_tok(el, WORD, i, i + len + 1, Py_UNICODE_ISUPPER(first), sent,
                                       PyUnicode_CompareWithASCIIString(low, "d'") == 0, low);
                    Py_DECREF(low);
                    if (!art) goto fail;
                    sent = 0;
                    if (is_upper_ascii_prefix(kind, data, i, len)) {
                        run++;
                    } else {
                        run = end_run(toks, run, art);
                    }
                    if (append(toks, art) < 0) goto fail;
                    start = i + len + 1;
                }
                while (stop > start && is_apos(PyUnicode_READ(kind, data, stop - 1))) stop--;
            }
            PyObject *w = PyUnicode_Substring(text, start, stop);
            if (!w) goto fail;
            PyObject *wi = PyDict_GetItemWithError(cache, w);
            if (wi) {
                Py_INCREF(wi);
            } else if (!PyErr_Occurred()) {
                wi = PyObject_CallOneArg(info, w);
            }
            if (!wi || !PyTuple_Check(wi) || PyTuple_GET_SIZE(wi) != 4) {
                if (wi) PyErr_SetString(PyExc_TypeError, "a word's info must be a 4-tuple");
                Py_XDECREF(wi);
                Py_DECREF(w);
                goto fail;
            }
            int cap = PyObject_IsTrue(PyTuple_GET_ITEM(wi, 0)), conn = PyObject_IsTrue(PyTuple_GET_ITEM(wi, 1));
            upper = PyObject_IsTrue(PyTuple_GET_ITEM(wi, 3));
            tok = new_tok(w, WORD, start, stop, cap, sent, conn, PyTuple_GET_ITEM(wi, 2));
            Py_DECREF(wi);
            sent = 0;
        } else if (is_punct(c)) {
            end = i + 1;
            tok = new_tok(PyUnicode_Substring(text, i, end), PUNCT, i, end, 0, 0, 0, EMPTY);
            if (ends_sentence(c)) sent = 1;
        } else {
            i++;
            continue;
        }
        if (!tok) goto fail;
        if (upper) {
            run++;
        } else if (run) {
            run = end_run(toks, run, tok);
        }
        if (append(toks, tok) < 0) goto fail;
        i = end;
    }
    end_run(toks, run, NULL);
    return toks;
fail:
    Py_DECREF(toks);
    return NULL;
}

/* word_starts(text, sets) -> one list per container (a set, a dict's keys) of the positions where a run of re's
 * \w characters begins (after a character that is not one) and the whole run is in that container. */
static PyObject *word_starts(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *text, *sets;
    if (!PyArg_ParseTuple(args, "UO!", &text, &PyTuple_Type, &sets)) return NULL;
    Py_ssize_t nsets = PyTuple_GET_SIZE(sets);
    PyObject *out = PyTuple_New(nsets);
    if (!out) return NULL;
    for (Py_ssize_t k = 0; k < nsets; k++) {
        PyObject *list = PyList_New(0);
        if (!list) goto fail;
        PyTuple_SET_ITEM(out, k, list);
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), i = 0;
    while (i < n) {
        if (!is_re_word(PyUnicode_READ(kind, data, i))) {
            i++;
            continue;
        }
        Py_ssize_t j = i + 1;
        while (j < n && is_re_word(PyUnicode_READ(kind, data, j))) j++;
        PyObject *run = PyUnicode_Substring(text, i, j);
        if (!run) goto fail;
        for (Py_ssize_t k = 0; k < nsets; k++) {
            int in = PySequence_Contains(PyTuple_GET_ITEM(sets, k), run);
            PyObject *at = in > 0 ? PyLong_FromSsize_t(i) : NULL;
            if (in < 0 || (in > 0 && (!at || PyList_Append(PyTuple_GET_ITEM(out, k), at) < 0))) {
                Py_XDECREF(at);
                Py_DECREF(run);
                goto fail;
            }
            Py_XDECREF(at);
        }
        Py_DECREF(run);
        i = j;
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

static PyMethodDef methods[] = {
    {"tokenize", tokenize, METH_VARARGS, "The tokens of an article's text (see tokens.tokenize)."},
    {"word_starts", word_starts, METH_VARARGS, "Where runs of word characters in given sets begin, per set."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_tokens", NULL, -1, methods};

PyMODINIT_FUNC PyInit__tokens(void) {
    if (PyType_Ready(&TokType) < 0) return NULL;
    WORD = PyUnicode_InternFromString("word");
    HON = PyUnicode_InternFromString("hon");
    PUNCT = PyUnicode_InternFromString("punct");
    EMPTY = PyUnicode_InternFromString("");
    if (!WORD || !HON || !PUNCT || !EMPTY) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Py_INCREF(&TokType);
    if (PyModule_AddObject(m, "Tok", (PyObject *)&TokType) < 0) {
        Py_DECREF(&TokType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
