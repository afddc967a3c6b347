/* gutnerve._speedups: the dense scoring kernel and the JSON line of `batch`, compiled.
 *
 * Optional: gutnerve/fastline.py uses it when it is built and falls back to the pure
 * Python path (scoring.score, jsonline.assessment_line) when it is not. It holds no
 * medical fact and no clinical rule: only arithmetic over tables that Python compiles
 * once per knowledge base (rows of ln likelihood ratios, priors, pre-encoded JSON pieces)
 * and the byte layout of the line. Triage and the workup stay in Python.
 *
 * Every result must be bit-for-bit what the Python path computes:
 *  - a cause's log score is its prior's log plus the case's rows, added in the order given
 *    (present findings by id, then absent ones by id), as scoring.score adds them;
 *  - a cause with presentations (a mixture) has a column per component: each column is summed
 *    as above, then folded into the cause's by log-sum-exp as scoring.log_sum_exp does it
 *    (peak + log of the exps of (column + ln w_k - peak) added in component order), its
 *    row shows the entries and middle piece of the column of the largest term, and each
 *    component's posterior weight (which triage shares the cause's posterior by) is its exp
 *    over that sum;
 *  - posteriors are exp(log - max) (libm's exp, as math.exp) times 1 / the correctly
 *    rounded sum of those (CPython's math.fsum algorithm, ported below);
 *  - the ranking is by falling log score, ties by cause index (a stable sort);
 *  - numbers are written through the table Python builds from orjson's own output
 *    (jsonline._Numbers), a number too near a rounding tie through Python itself.
 * Build without -ffast-math and without contracting a*b+c into fma (hatch_build.py).
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <float.h>
#include <math.h>
#include <string.h>

/* Each operation must be rounded to a double, as CPython rounds each float it makes: where the
 * compiler keeps wider intermediates (x87 code without SSE2), the sums and fsum's partials could
 * differ in their last bits. Refuse to build there: the hook then installs the pure path. */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD != 0 && FLT_EVAL_METHOD != 1
#error "gutnerve._speedups needs double arithmetic without excess precision (FLT_EVAL_METHOD 0 or 1)"
#endif

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define NUMBERS 10001 /* the table of 0.0000 .. 1.0000 */
#define SMALL 64      /* rows of a case kept on the stack; more are allocated */
#define TIE 1e-9      /* scoring.TIE: component log scores closer than this are rounding apart */

typedef struct {
    PyObject_HEAD
    Py_ssize_t n;         /* causes */
    Py_ssize_t w;         /* columns: the n causes, then one per presentation of a mixture cause */
    Py_ssize_t nrows;     /* rows: 2 per finding (present, absent) */
    double *weights;      /* nrows x w: ln LR of each column */
    PyObject **entries;   /* nrows x w: the for/against entry (bytes, owned), NULL where not shown */
    char *filled;         /* nrows: set_row was called */
    Py_ssize_t npriors, cap;
    double *plogs;        /* npriors x w: ln prior weight of each column (its cause's) */
    double *pnorm;        /* npriors x n: normalised prior */
    PyObject **factors;   /* npriors x n: the prior_factors list (bytes, owned) */
    /* the mixture causes (set_mixtures): mixture m is cause mix_cause[m], its components
     * mix_cols[mix_start[m] : mix_start[m + 1]] with ln weights mix_lw[...] beside them */
    Py_ssize_t nmix;
    Py_ssize_t *mix_cause;
    Py_ssize_t *mix_start;
    Py_ssize_t *mix_cols;
    double *mix_lw;
    PyObject *heads;      /* tuple, n bytes: a row from after the rank to "probability": */
    PyObject *middles;    /* tuple, w bytes: from "urgency" to the opening of "for", by column */
    PyObject *ends;       /* tuple, n bytes: from the close of "against" to the row's end and a comma */
    char (*number_text)[8]; /* k / 10000 as the reference writes it, packed from the tuple `numbers` given */
    unsigned char *number_size;
    PyObject *fallback;   /* callable: float -> bytes, for any other number */
    PyObject *tests;      /* dict: test id -> its workup_plan item up to "line": */
    PyObject *names;      /* dict: test id -> its name (JSON string) */
    PyObject *lines;      /* dict: "first"/"second" -> the line and "yield": */
    PyObject *cause_json; /* dict: cause id -> its JSON string */
    PyObject *tail;       /* bytes: the end of the line */
    PyObject *head;       /* bytes: the start of the line, up to its first key's comma */
    PyObject *findings;   /* tuple, nrows / 2 bytes: each finding's id as a JSON string, by place */
    /* the workup's table (set_tests): each cause's tests, each once, and whether it lists it first-line */
    PyObject *cause_ids;  /* tuple, n str */
    PyObject *test_ids;   /* tuple, ntests str */
    Py_ssize_t ntests;
    Py_ssize_t *tests_start; /* n + 1: cause c's tests are listing[tests_start[c] : tests_start[c + 1]] */
    Py_ssize_t *listing;     /* test indices */
    char *listing_first;     /* beside listing: listed first-line */
} Dense;

/* ------------------------------------------------------------------------ */
/* A growing byte buffer */

typedef struct {
    char *data;
    Py_ssize_t len, cap;
    char small[16384];
} Buf;

static int
buf_grow(Buf *b, Py_ssize_t need)
{
    Py_ssize_t cap = b->cap;
    while (cap - b->len < need) {
        if (cap > PY_SSIZE_T_MAX / 2) {
            PyErr_NoMemory();
            return -1;
        }
        cap *= 2;
    }
    char *data;
    if (b->data == b->small) {
        data = PyMem_Malloc((size_t)cap);
        if (data != NULL)
            memcpy(data, b->small, (size_t)b->len);
    }
    else {
        data = PyMem_Realloc(b->data, (size_t)cap);
    }
    if (data == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    b->data = data;
    b->cap = cap;
    return 0;
}

static inline int
put(Buf *b, const char *s, Py_ssize_t k)
{
    if (b->cap - b->len < k && buf_grow(b, k) < 0)
        return -1;
    memcpy(b->data + b->len, s, (size_t)k);
    b->len += k;
    return 0;
}

#define PUT_LITERAL(b, s) put((b), (s), (Py_ssize_t)(sizeof(s) - 1))

static inline int
put_bytes(Buf *b, PyObject *bytes)
{
    if (!PyBytes_Check(bytes)) {
        PyErr_Format(PyExc_TypeError, "expected bytes, not %.100s", Py_TYPE(bytes)->tp_name);
        return -1;
    }
    return put(b, PyBytes_AS_STRING(bytes), PyBytes_GET_SIZE(bytes));
}

static void
buf_free(Buf *b)
{
    if (b->data != b->small)
        PyMem_Free(b->data);
}

static int
put_int(Buf *b, Py_ssize_t value)
{
    char text[32];
    int k = snprintf(text, sizeof(text), "%zd", value);
    return put(b, text, k);
}

/* A str as orjson writes it: UTF-8, with '"', '\\' and the control characters below 0x20
 * escaped (\b \t \n \f \r, else \u00XX), nothing else. A str that is not valid UTF-8 (a
 * lone surrogate) raises, as orjson does. */
static int
put_string(Buf *b, PyObject *text)
{
    static const char hex[] = "0123456789abcdef";
    Py_ssize_t size;
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "expected str, not %.100s", Py_TYPE(text)->tp_name);
        return -1;
    }
    const char *utf8 = PyUnicode_AsUTF8AndSize(text, &size);
    if (utf8 == NULL)
        return -1;
    if (size > (PY_SSIZE_T_MAX - 2) / 6) { /* each byte escaped to at most 6 */
        PyErr_NoMemory();
        return -1;
    }
    if (b->cap - b->len < 6 * size + 2 && buf_grow(b, 6 * size + 2) < 0)
        return -1;
    char *out = b->data + b->len;
    *out++ = '"';
    for (Py_ssize_t k = 0; k < size; k++) {
        unsigned char c = (unsigned char)utf8[k];
        if (c >= 0x20 && c != '"' && c != '\\') {
            *out++ = (char)c;
            continue;
        }
        *out++ = '\\';
        switch (c) {
        case '"':
        case '\\':
            *out++ = (char)c;
            break;
        case '\b':
            *out++ = 'b';
            break;
        case '\t':
            *out++ = 't';
            break;
        case '\n':
            *out++ = 'n';
            break;
        case '\f':
            *out++ = 'f';
            break;
        case '\r':
            *out++ = 'r';
            break;
        default:
            *out++ = 'u';
            *out++ = '0';
            *out++ = '0';
            *out++ = hex[c >> 4];
            *out++ = hex[c & 15];
        }
    }
    *out++ = '"';
    b->len = out - b->data;
    return 0;
}

/* null, or an int (an age) in decimal */
static int
put_int_or_null(Buf *b, PyObject *value)
{
    if (value == Py_None)
        return PUT_LITERAL(b, "null");
    if (!PyLong_CheckExact(value)) {
        PyErr_Format(PyExc_TypeError, "expected an int or None, not %.100s", Py_TYPE(value)->tp_name);
        return -1;
    }
    Py_ssize_t number = PyLong_AsSsize_t(value);
    if (number == -1 && PyErr_Occurred())
        return -1;
    return put_int(b, number);
}

/* ------------------------------------------------------------------------ */
/* Arithmetic */

/* math.fsum of finite values: CPython's algorithm (Shewchuk's partials, then the half-even
 * correction across partials), so the correctly rounded sum, as math.fsum returns. */
static int
fsum(const double *values, Py_ssize_t count, double *result)
{
    double stack[32], *p = stack;
    Py_ssize_t n = 0, m = 32, i, j, k;
    double x, y, t, hi, yr, lo = 0.0;

    for (k = 0; k < count; k++) {
        double xsave = x = values[k];
        for (i = j = 0; j < n; j++) {
            y = p[j];
            if (fabs(x) < fabs(y)) {
                t = x;
                x = y;
                y = t;
            }
            hi = x + y;
            yr = hi - x;
            lo = y - yr;
            if (lo != 0.0)
                p[i++] = lo;
            x = hi;
        }
        n = i;
        if (x != 0.0) {
            if (!isfinite(x)) {
                if (p != stack)
                    PyMem_Free(p);
                if (isfinite(xsave))
                    PyErr_SetString(PyExc_OverflowError, "intermediate overflow in fsum");
                else
                    PyErr_SetString(PyExc_ValueError, "fsum of a value that is not finite");
                return -1;
            }
            if (n >= m) {
                double *grown;
                if (p == stack) {
                    grown = PyMem_Malloc(2 * (size_t)m * sizeof(double));
                    if (grown != NULL)
                        memcpy(grown, stack, sizeof(stack));
                }
                else {
                    grown = PyMem_Realloc(p, 2 * (size_t)m * sizeof(double));
                }
                if (grown == NULL) {
                    if (p != stack)
                        PyMem_Free(p);
                    PyErr_NoMemory();
                    return -1;
                }
                p = grown;
                m *= 2;
            }
            p[n++] = x;
        }
    }
    hi = 0.0;
    if (n > 0) {
        hi = p[--n];
        while (n > 0) {
            x = hi;
            y = p[--n];
            hi = x + y;
            yr = hi - x;
            lo = y - yr;
            if (lo != 0.0)
                break;
        }
        if (n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0))) {
            y = lo * 2.0;
            x = hi + y;
            yr = x - hi;
            if (y == yr)
                hi = x;
        }
    }
    if (p != stack)
        PyMem_Free(p);
    *result = hi;
    return 0;
}

/* Sort `idx[0:count]` by falling key, ties keeping their order (as sorted(..., reverse=True)). */
static void
sort_falling(Py_ssize_t *idx, Py_ssize_t count, const double *key)
{
    for (Py_ssize_t a = 1; a < count; a++) {
        Py_ssize_t item = idx[a];
        double value = key[item];
        Py_ssize_t b = a;
        while (b > 0 && key[idx[b - 1]] < value) {
            idx[b] = idx[b - 1];
            b--;
        }
        idx[b] = item;
    }
}

/* Sort `items[0:count]` (by the doubles beside them) falling or rising, ties keeping their order. */
static void
sort_parts(PyObject **items, double *key, Py_ssize_t count, int falling)
{
    for (Py_ssize_t a = 1; a < count; a++) {
        PyObject *item = items[a];
        double value = key[a];
        Py_ssize_t b = a;
        while (b > 0 && (falling ? key[b - 1] < value : key[b - 1] > value)) {
            items[b] = items[b - 1];
            key[b] = key[b - 1];
            b--;
        }
        items[b] = item;
        key[b] = value;
    }
}

static void
sort_ints(Py_ssize_t *values, Py_ssize_t count)
{
    for (Py_ssize_t a = 1; a < count; a++) {
        Py_ssize_t item = values[a];
        Py_ssize_t b = a;
        while (b > 0 && values[b - 1] > item) {
            values[b] = values[b - 1];
            b--;
        }
        values[b] = item;
    }
}

/* A posterior, prior or yield as the reference writes round(x, 4): the table's entry for
 * the 4-place decimal nearest x, found from x * 10000 when that is clearly on one side of
 * a half (the product's rounding error is below 1e-12 there); otherwise Python's own. */
static int
put_number(Dense *d, Buf *b, double x)
{
    double p = x * 10000.0;
    if (p > -0.5 && p < NUMBERS - 0.5) {
        double whole = floor(p);
        double frac = p - whole;
        if (fabs(frac - 0.5) > 1e-6) {
            Py_ssize_t k = (Py_ssize_t)whole + (frac > 0.5);
            if (k >= 0 && k < NUMBERS)
                return put(b, d->number_text[k], d->number_size[k]);
        }
    }
    PyObject *value = PyFloat_FromDouble(x);
    if (value == NULL)
        return -1;
    PyObject *text = PyObject_CallOneArg(d->fallback, value);
    Py_DECREF(value);
    if (text == NULL)
        return -1;
    int status = put_bytes(b, text);
    Py_DECREF(text);
    return status;
}

/* ------------------------------------------------------------------------ */
/* The Dense type */

static void
Dense_dealloc(Dense *d)
{
    if (d->entries != NULL) {
        for (Py_ssize_t k = 0; k < d->nrows * d->w; k++)
            Py_XDECREF(d->entries[k]);
        PyMem_Free(d->entries);
    }
    if (d->factors != NULL) {
        for (Py_ssize_t k = 0; k < d->npriors * d->n; k++)
            Py_XDECREF(d->factors[k]);
        PyMem_Free(d->factors);
    }
    PyMem_Free(d->weights);
    PyMem_Free(d->filled);
    PyMem_Free(d->number_text);
    PyMem_Free(d->number_size);
    PyMem_Free(d->plogs);
    PyMem_Free(d->pnorm);
    PyMem_Free(d->mix_cause);
    PyMem_Free(d->mix_start);
    PyMem_Free(d->mix_cols);
    PyMem_Free(d->mix_lw);
    Py_XDECREF(d->heads);
    Py_XDECREF(d->middles);
    Py_XDECREF(d->ends);
    Py_XDECREF(d->fallback);
    Py_XDECREF(d->tests);
    Py_XDECREF(d->names);
    Py_XDECREF(d->lines);
    Py_XDECREF(d->cause_json);
    Py_XDECREF(d->tail);
    Py_XDECREF(d->head);
    Py_XDECREF(d->findings);
    Py_XDECREF(d->cause_ids);
    Py_XDECREF(d->test_ids);
    PyMem_Free(d->tests_start);
    PyMem_Free(d->listing);
    PyMem_Free(d->listing_first);
    Py_TYPE(d)->tp_free((PyObject *)d);
}

static int
all_bytes(PyObject *tuple, Py_ssize_t size, const char *what)
{
    if (PyTuple_GET_SIZE(tuple) != size) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd items, got %zd", what, size, PyTuple_GET_SIZE(tuple));
        return -1;
    }
    for (Py_ssize_t k = 0; k < size; k++) {
        if (!PyBytes_Check(PyTuple_GET_ITEM(tuple, k))) {
            PyErr_Format(PyExc_TypeError, "%s: item %zd is not bytes", what, k);
            return -1;
        }
    }
    return 0;
}

static PyObject *
Dense_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *keywords[] = {"heads", "middles", "ends", "findings", "numbers", "fallback", "tests",
                               "names",  "lines",   "causes", "head",    "tail",    NULL};
    PyObject *heads, *middles, *ends, *findings, *numbers, *fallback, *tests, *names, *lines, *causes, *head, *tail;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O!O!O!O!OO!O!O!O!O!O!:Dense", keywords, &PyTuple_Type, &heads,
                                     &PyTuple_Type, &middles, &PyTuple_Type, &ends, &PyTuple_Type, &findings,
                                     &PyTuple_Type, &numbers, &fallback, &PyDict_Type, &tests, &PyDict_Type, &names,
                                     &PyDict_Type, &lines, &PyDict_Type, &causes, &PyBytes_Type, &head, &PyBytes_Type,
                                     &tail))
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(heads);
    /* a middle piece per column: one per cause, then one per presentation of a mixture cause */
    Py_ssize_t w = PyTuple_GET_SIZE(middles) > n ? PyTuple_GET_SIZE(middles) : n;
    Py_ssize_t nrows = 2 * PyTuple_GET_SIZE(findings);
    if (n < 1 || nrows > PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(double) / w) {
        PyErr_SetString(PyExc_ValueError, "Dense: needs at least one cause and a sensible number of findings");
        return NULL;
    }
    if (all_bytes(heads, n, "heads") < 0 || all_bytes(middles, w, "middles") < 0 || all_bytes(ends, n, "ends") < 0 ||
        all_bytes(findings, nrows / 2, "findings") < 0 || all_bytes(numbers, NUMBERS, "numbers") < 0)
        return NULL;
    if (!PyCallable_Check(fallback)) {
        PyErr_SetString(PyExc_TypeError, "Dense: fallback must be callable");
        return NULL;
    }
    Dense *d = (Dense *)type->tp_alloc(type, 0);
    if (d == NULL)
        return NULL;
    d->n = n;
    d->w = w;
    d->nrows = nrows;
    size_t cells = (size_t)(nrows * w);
    d->weights = PyMem_Calloc(cells ? cells : 1, sizeof(double));
    d->entries = PyMem_Calloc(cells ? cells : 1, sizeof(PyObject *));
    d->filled = PyMem_Calloc(nrows ? (size_t)nrows : 1, 1);
    d->number_text = PyMem_Calloc(NUMBERS, sizeof(*d->number_text));
    d->number_size = PyMem_Calloc(NUMBERS, 1);
    if (d->weights == NULL || d->entries == NULL || d->filled == NULL || d->number_text == NULL || d->number_size == NULL) {
        Py_DECREF(d);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t k = 0; k < NUMBERS; k++) {
        PyObject *text = PyTuple_GET_ITEM(numbers, k);
        Py_ssize_t size = PyBytes_GET_SIZE(text);
        if (size > (Py_ssize_t)sizeof(*d->number_text)) {
            PyErr_Format(PyExc_ValueError, "numbers: item %zd is longer than %d bytes", k, (int)sizeof(*d->number_text));
            Py_DECREF(d);
            return NULL;
        }
        memcpy(d->number_text[k], PyBytes_AS_STRING(text), (size_t)size);
        d->number_size[k] = (unsigned char)size;
    }
    d->heads = Py_NewRef(heads);
    d->middles = Py_NewRef(middles);
    d->ends = Py_NewRef(ends);
    d->fallback = Py_NewRef(fallback);
    d->tests = Py_NewRef(tests);
    d->names = Py_NewRef(names);
    d->lines = Py_NewRef(lines);
    d->cause_json = Py_NewRef(causes);
    d->tail = Py_NewRef(tail);
    d->head = Py_NewRef(head);
    d->findings = Py_NewRef(findings);
    return (PyObject *)d;
}

static int
row_index(Dense *d, PyObject *item, Py_ssize_t *row)
{
    Py_ssize_t value = PyLong_AsSsize_t(item);
    if (value == -1 && PyErr_Occurred())
        return -1;
    if (value < 0 || value >= d->nrows || !d->filled[value]) {
        PyErr_Format(PyExc_ValueError, "row %zd is not set", value);
        return -1;
    }
    *row = value;
    return 0;
}

static int
prior_index(Dense *d, Py_ssize_t value)
{
    if (value < 0 || value >= d->npriors) {
        PyErr_Format(PyExc_ValueError, "prior %zd is not set", value);
        return -1;
    }
    return 0;
}

PyDoc_STRVAR(set_row_doc, "set_row(index, weights, entries)\n--\n\n"
                          "Row `index` (2 x finding + 0 present / 1 absent): each column's ln LR (floats) and\n"
                          "its for/against entry (bytes, or None where the finding is not shown).");

static PyObject *
Dense_set_row(Dense *d, PyObject *args)
{
    Py_ssize_t index;
    PyObject *weights, *entries;
    if (!PyArg_ParseTuple(args, "nO!O!:set_row", &index, &PyTuple_Type, &weights, &PyTuple_Type, &entries))
        return NULL;
    if (index < 0 || index >= d->nrows) {
        PyErr_Format(PyExc_IndexError, "row %zd out of range", index);
        return NULL;
    }
    if (PyTuple_GET_SIZE(weights) != d->w || PyTuple_GET_SIZE(entries) != d->w) {
        PyErr_SetString(PyExc_ValueError, "set_row: one weight and one entry per column");
        return NULL;
    }
    for (Py_ssize_t c = 0; c < d->w; c++) {
        PyObject *entry = PyTuple_GET_ITEM(entries, c);
        if (!PyFloat_CheckExact(PyTuple_GET_ITEM(weights, c)) || (entry != Py_None && !PyBytes_Check(entry))) {
            PyErr_SetString(PyExc_TypeError, "set_row: weights are floats, entries bytes or None");
            return NULL;
        }
    }
    for (Py_ssize_t c = 0; c < d->w; c++) {
        PyObject *entry = PyTuple_GET_ITEM(entries, c);
        PyObject **cell = &d->entries[index * d->w + c];
        d->weights[index * d->w + c] = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(weights, c));
        Py_XDECREF(*cell);
        if (entry == Py_None) {
            *cell = NULL;
        }
        else {
            *cell = Py_NewRef(entry);
        }
    }
    d->filled[index] = 1;
    Py_RETURN_NONE;
}

static int
doubles(PyObject *seq, Py_ssize_t n, double *out, const char *what)
{
    PyObject *fast = PySequence_Fast(seq, what);
    if (fast == NULL)
        return -1;
    if (PySequence_Fast_GET_SIZE(fast) != n) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd numbers", what, n);
        Py_DECREF(fast);
        return -1;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *item = PySequence_Fast_GET_ITEM(fast, k);
        if (!PyFloat_CheckExact(item)) {
            PyErr_Format(PyExc_TypeError, "%s: item %zd is not a float", what, k);
            Py_DECREF(fast);
            return -1;
        }
        out[k] = PyFloat_AS_DOUBLE(item);
    }
    Py_DECREF(fast);
    return 0;
}

PyDoc_STRVAR(add_prior_doc, "add_prior(logs, prior, factors)\n--\n\n"
                            "A prior table (for one age and sex): each column's ln prior weight (its cause's), and\n"
                            "each cause's normalised prior and prior_factors JSON (bytes). Returns its index.");

static PyObject *
Dense_add_prior(Dense *d, PyObject *args)
{
    PyObject *logs, *prior, *factors, *result = NULL;
    if (!PyArg_ParseTuple(args, "OOO!:add_prior", &logs, &prior, &PyTuple_Type, &factors))
        return NULL;
    if (all_bytes(factors, d->n, "factors") < 0)
        return NULL;
    /* Made lists or tuples first: iterating `logs` or `prior` runs Python code, which may call
     * add_prior again and move the tables; from here on no Python code runs. */
    logs = PySequence_Fast(logs, "logs: a sequence of floats");
    if (logs == NULL)
        return NULL;
    prior = PySequence_Fast(prior, "prior: a sequence of floats");
    if (prior == NULL)
        goto done;
    if (d->npriors == d->cap) {
        Py_ssize_t cap = d->cap ? 2 * d->cap : 16;
        if (cap > PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(double) / d->w) {
            PyErr_NoMemory();
            goto done;
        }
        double *plogs = PyMem_Realloc(d->plogs, (size_t)(cap * d->w) * sizeof(double));
        if (plogs == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        d->plogs = plogs;
        double *pnorm = PyMem_Realloc(d->pnorm, (size_t)(cap * d->n) * sizeof(double));
        if (pnorm == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        d->pnorm = pnorm;
        PyObject **cells = PyMem_Realloc(d->factors, (size_t)(cap * d->n) * sizeof(PyObject *));
        if (cells == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        d->factors = cells;
        d->cap = cap;
    }
    Py_ssize_t at = d->npriors;
    if (doubles(logs, d->w, d->plogs + at * d->w, "logs") < 0 || doubles(prior, d->n, d->pnorm + at * d->n, "prior") < 0)
        goto done;
    for (Py_ssize_t c = 0; c < d->n; c++) {
        PyObject *item = PyTuple_GET_ITEM(factors, c);
        d->factors[at * d->n + c] = Py_NewRef(item);
    }
    d->npriors++;
    result = PyLong_FromSsize_t(at);
done:
    Py_DECREF(logs);
    Py_XDECREF(prior);
    return result;
}

/* The row indices of a tuple, checked, into `rows` (allocated when more than SMALL). */
static Py_ssize_t *
read_rows(Dense *d, PyObject *tuple, Py_ssize_t *stack, Py_ssize_t *count)
{
    Py_ssize_t k = PyTuple_GET_SIZE(tuple);
    Py_ssize_t *rows = stack;
    if (k > SMALL) {
        rows = PyMem_Malloc((size_t)k * sizeof(Py_ssize_t));
        if (rows == NULL) {
            PyErr_NoMemory();
            return NULL;
        }
    }
    for (Py_ssize_t j = 0; j < k; j++) {
        if (row_index(d, PyTuple_GET_ITEM(tuple, j), &rows[j]) < 0) {
            if (rows != stack)
                PyMem_Free(rows);
            return NULL;
        }
    }
    *count = k;
    return rows;
}

PyDoc_STRVAR(score_doc, "score(prior, present, absent)\n--\n\n"
                        "(logs, posterior, order) of every cause for a case: prior table `prior` plus the rows\n"
                        "of its present findings (by id), then of its absent ones (by id), as scoring.score\n"
                        "(each mixture cause's columns folded into it).");

PyDoc_STRVAR(score_mixed_doc, "score_mixed(prior, present, absent)\n--\n\n"
                              "score(...) and, fourth, the column whose entries explain each cause: its chosen\n"
                              "component's for a mixture cause, its own index for any other; fifth, each\n"
                              "mixture's components' posterior weights (w_k exp L_k normalised), one list in\n"
                              "mixture order (set_mixtures), as scoring._fold computes them.");

/* Each mixture cause's log score from its columns' (logs, w long): the log-sum-exp of column +
 * ln w_k, as scoring.log_sum_exp adds it; `chosen` (n long, or NULL) gets the column of the
 * largest term (the first within TIE of it), and `shares` (one per component of every mixture, in
 * mixture order, or NULL) each component's posterior weight exp(column + ln w_k - peak) / the
 * sum of those, as scoring._fold_shares divides them. */
static void
fold(Dense *d, double *logs, Py_ssize_t *chosen, double *shares)
{
    for (Py_ssize_t m = 0; m < d->nmix; m++) {
        Py_ssize_t start = d->mix_start[m], stop = d->mix_start[m + 1], best = start;
        double peak = logs[d->mix_cols[start]] + d->mix_lw[start];
        for (Py_ssize_t k = start + 1; k < stop; k++) {
            double value = logs[d->mix_cols[k]] + d->mix_lw[k];
            if (value > peak)
                peak = value;
        }
        /* the first component within TIE of the peak, as scoring.first_near_peak */
        while (logs[d->mix_cols[best]] + d->mix_lw[best] < peak - TIE)
            best++;
        double total = 0.0;
        for (Py_ssize_t k = start; k < stop; k++) {
            double term = exp(logs[d->mix_cols[k]] + d->mix_lw[k] - peak);
            total += term;
            if (shares != NULL)
                shares[k] = term;
        }
        logs[d->mix_cause[m]] = peak + log(total);
        if (chosen != NULL)
            chosen[d->mix_cause[m]] = d->mix_cols[best];
        if (shares != NULL) {
            for (Py_ssize_t k = start; k < stop; k++)
                shares[k] /= total;
        }
    }
}

static PyObject *
score_impl(Dense *d, PyObject *args, int mixed)
{
    Py_ssize_t prior;
    PyObject *present, *absent;
    if (!PyArg_ParseTuple(args, mixed ? "nO!O!:score_mixed" : "nO!O!:score", &prior, &PyTuple_Type, &present,
                          &PyTuple_Type, &absent))
        return NULL;
    if (prior_index(d, prior) < 0)
        return NULL;
    Py_ssize_t n = d->n, np, na;
    Py_ssize_t stack_p[SMALL], stack_a[SMALL];
    Py_ssize_t *rows_p = read_rows(d, present, stack_p, &np);
    if (rows_p == NULL)
        return NULL;
    Py_ssize_t *rows_a = read_rows(d, absent, stack_a, &na);
    if (rows_a == NULL) {
        if (rows_p != stack_p)
            PyMem_Free(rows_p);
        return NULL;
    }
    /* rows are numbered in finding id order: sorted rows are the findings sorted by id */
    sort_ints(rows_p, np);
    sort_ints(rows_a, na);

    PyObject *result = NULL, *logs_list = NULL, *post_list = NULL, *order_list = NULL, *chosen_list = NULL;
    PyObject *shares_list = NULL;
    Py_ssize_t w = d->w;
    Py_ssize_t parts = mixed && d->nmix > 0 ? d->mix_start[d->nmix] : 0; /* every mixture's components */
    double *work = PyMem_Malloc((size_t)(w + n + parts) * sizeof(double));
    Py_ssize_t *order = PyMem_Malloc((size_t)n * 2 * sizeof(Py_ssize_t));
    if (work == NULL || order == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    double *logs = work, *odds = work + w, *shares = mixed ? work + w + n : NULL;
    Py_ssize_t *chosen = order + n;
    memcpy(logs, d->plogs + prior * w, (size_t)w * sizeof(double));
    for (Py_ssize_t j = 0; j < np; j++) {
        const double *row = d->weights + rows_p[j] * w;
        for (Py_ssize_t c = 0; c < w; c++)
            logs[c] += row[c];
    }
    for (Py_ssize_t j = 0; j < na; j++) {
        const double *row = d->weights + rows_a[j] * w;
        for (Py_ssize_t c = 0; c < w; c++)
            logs[c] += row[c];
    }
    for (Py_ssize_t c = 0; c < n; c++)
        chosen[c] = c;
    fold(d, logs, chosen, shares);
    double peak = logs[0];
    for (Py_ssize_t c = 1; c < n; c++) {
        if (logs[c] > peak)
            peak = logs[c];
    }
    for (Py_ssize_t c = 0; c < n; c++)
        odds[c] = exp(logs[c] - peak);
    double total;
    if (fsum(odds, n, &total) < 0)
        goto done;
    double scale = 1.0 / total;
    for (Py_ssize_t c = 0; c < n; c++)
        order[c] = c;
    sort_falling(order, n, logs);

    logs_list = PyList_New(n);
    post_list = PyList_New(n);
    order_list = PyList_New(n);
    if (logs_list == NULL || post_list == NULL || order_list == NULL)
        goto done;
    if (mixed) {
        chosen_list = PyList_New(n);
        if (chosen_list == NULL)
            goto done;
        for (Py_ssize_t c = 0; c < n; c++) {
            PyObject *column = PyLong_FromSsize_t(chosen[c]);
            if (column == NULL)
                goto done;
            PyList_SET_ITEM(chosen_list, c, column);
        }
        shares_list = PyList_New(parts);
        if (shares_list == NULL)
            goto done;
        for (Py_ssize_t k = 0; k < parts; k++) {
            PyObject *share = PyFloat_FromDouble(shares[k]);
            if (share == NULL)
                goto done;
            PyList_SET_ITEM(shares_list, k, share);
        }
    }
    for (Py_ssize_t c = 0; c < n; c++) {
        PyObject *log = PyFloat_FromDouble(logs[c]);
        PyObject *post = PyFloat_FromDouble(odds[c] * scale);
        PyObject *rank = PyLong_FromSsize_t(order[c]);
        if (log == NULL || post == NULL || rank == NULL) {
            Py_XDECREF(log);
            Py_XDECREF(post);
            Py_XDECREF(rank);
            goto done;
        }
        PyList_SET_ITEM(logs_list, c, log);
        PyList_SET_ITEM(post_list, c, post);
        PyList_SET_ITEM(order_list, c, rank);
    }
    result = mixed ? PyTuple_Pack(5, logs_list, post_list, order_list, chosen_list, shares_list)
                   : PyTuple_Pack(3, logs_list, post_list, order_list);
done:
    Py_XDECREF(logs_list);
    Py_XDECREF(post_list);
    Py_XDECREF(order_list);
    Py_XDECREF(chosen_list);
    Py_XDECREF(shares_list);
    PyMem_Free(work);
    PyMem_Free(order);
    if (rows_p != stack_p)
        PyMem_Free(rows_p);
    if (rows_a != stack_a)
        PyMem_Free(rows_a);
    return result;
}

static PyObject *
Dense_score(Dense *d, PyObject *args)
{
    return score_impl(d, args, 0);
}

static PyObject *
Dense_score_mixed(Dense *d, PyObject *args)
{
    return score_impl(d, args, 1);
}

static Py_ssize_t cause_index(PyObject *number, Py_ssize_t n, const char *message);

PyDoc_STRVAR(set_mixtures_doc, "set_mixtures(mixtures)\n--\n\n"
                               "The mixture causes: a tuple of (cause index, (column of each component, ...),\n"
                               "(ln weight of each component, ...)), component 0's column the cause's own index.");

static PyObject *
Dense_set_mixtures(Dense *d, PyObject *args)
{
    PyObject *mixtures;
    if (!PyArg_ParseTuple(args, "O!:set_mixtures", &PyTuple_Type, &mixtures))
        return NULL;
    Py_ssize_t count = PyTuple_GET_SIZE(mixtures), total = 0;
    for (Py_ssize_t m = 0; m < count; m++) {
        PyObject *item = PyTuple_GET_ITEM(mixtures, m);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 3 || !PyTuple_Check(PyTuple_GET_ITEM(item, 1)) ||
            !PyTuple_Check(PyTuple_GET_ITEM(item, 2)) ||
            PyTuple_GET_SIZE(PyTuple_GET_ITEM(item, 1)) != PyTuple_GET_SIZE(PyTuple_GET_ITEM(item, 2)) ||
            PyTuple_GET_SIZE(PyTuple_GET_ITEM(item, 1)) < 1) {
            PyErr_SetString(PyExc_TypeError, "set_mixtures: items are (cause, (columns, ...), (ln weights, ...))");
            return NULL;
        }
        if (PyTuple_GET_SIZE(PyTuple_GET_ITEM(item, 1)) > d->w) {
            PyErr_SetString(PyExc_ValueError, "set_mixtures: more components than columns");
            return NULL;
        }
        total += PyTuple_GET_SIZE(PyTuple_GET_ITEM(item, 1));
    }
    Py_ssize_t *cause = PyMem_Malloc((size_t)(count ? count : 1) * sizeof(Py_ssize_t));
    Py_ssize_t *start = PyMem_Malloc((size_t)(count + 1) * sizeof(Py_ssize_t));
    Py_ssize_t *cols = PyMem_Malloc((size_t)(total ? total : 1) * sizeof(Py_ssize_t));
    double *lw = PyMem_Malloc((size_t)(total ? total : 1) * sizeof(double));
    if (cause == NULL || start == NULL || cols == NULL || lw == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    Py_ssize_t at = 0;
    for (Py_ssize_t m = 0; m < count; m++) {
        PyObject *item = PyTuple_GET_ITEM(mixtures, m);
        PyObject *columns = PyTuple_GET_ITEM(item, 1), *weights = PyTuple_GET_ITEM(item, 2);
        cause[m] = cause_index(PyTuple_GET_ITEM(item, 0), d->n, "set_mixtures: a cause index out of range");
        if (cause[m] < 0)
            goto fail;
        start[m] = at;
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(columns); k++, at++) {
            cols[at] = cause_index(PyTuple_GET_ITEM(columns, k), d->w, "set_mixtures: a column out of range");
            if (cols[at] < 0)
                goto fail;
            PyObject *weight = PyTuple_GET_ITEM(weights, k);
            if (!PyFloat_CheckExact(weight)) {
                PyErr_SetString(PyExc_TypeError, "set_mixtures: ln weights are floats");
                goto fail;
            }
            lw[at] = PyFloat_AS_DOUBLE(weight);
        }
        if (cols[start[m]] != cause[m]) {
            PyErr_SetString(PyExc_ValueError, "set_mixtures: component 0's column is the cause's own");
            goto fail;
        }
    }
    start[count] = at;
    PyMem_Free(d->mix_cause);
    PyMem_Free(d->mix_start);
    PyMem_Free(d->mix_cols);
    PyMem_Free(d->mix_lw);
    d->mix_cause = cause;
    d->mix_start = start;
    d->mix_cols = cols;
    d->mix_lw = lw;
    d->nmix = count;
    Py_RETURN_NONE;
fail:
    PyMem_Free(cause);
    PyMem_Free(start);
    PyMem_Free(cols);
    PyMem_Free(lw);
    return NULL;
}

static int
put_lookup(Buf *b, PyObject *dict, PyObject *key)
{
    PyObject *value = PyDict_GetItemWithError(dict, key);
    if (value == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetObject(PyExc_KeyError, key);
        return -1;
    }
    return put_bytes(b, value);
}

/* One cause's row of the differential, with its trailing comma. */
static int
put_row(Dense *d, Buf *b, Py_ssize_t rank, Py_ssize_t c, Py_ssize_t column, double posterior, Py_ssize_t prior,
        const Py_ssize_t *rows, Py_ssize_t count, PyObject **parts, double *keys)
{
    Py_ssize_t n = d->n, w = d->w;
    if (PUT_LITERAL(b, "{\"rank\":") < 0 || put_int(b, rank) < 0 || put_bytes(b, PyTuple_GET_ITEM(d->heads, c)) < 0 ||
        put_number(d, b, posterior) < 0 || PUT_LITERAL(b, ",\"prior\":") < 0 ||
        put_number(d, b, d->pnorm[prior * n + c]) < 0 || PUT_LITERAL(b, ",\"prior_factors\":") < 0 ||
        put_bytes(b, d->factors[prior * n + c]) < 0 || put_bytes(b, PyTuple_GET_ITEM(d->middles, column)) < 0)
        return -1;
    /* for: weight > 0, strongest first; against: weight < 0, strongest first; ties by finding id
     * (rows are sorted by finding id). Raising fill parts from the start, lowering from the end. */
    Py_ssize_t up = 0, down = 0;
    for (Py_ssize_t j = 0; j < count; j++) {
        Py_ssize_t cell = rows[j] * w + column;
        PyObject *entry = d->entries[cell];
        double weight = d->weights[cell];
        if (entry == NULL)
            continue;
        if (weight > 0) {
            parts[up] = entry;
            keys[up] = weight;
            up++;
        }
        else if (weight < 0) {
            parts[count + down] = entry;
            keys[count + down] = weight;
            down++;
        }
    }
    sort_parts(parts, keys, up, 1);
    sort_parts(parts + count, keys + count, down, 0);
    for (Py_ssize_t j = 0; j < up; j++) {
        if ((j && PUT_LITERAL(b, ",") < 0) || put_bytes(b, parts[j]) < 0)
            return -1;
    }
    if (PUT_LITERAL(b, "],\"against\":[") < 0)
        return -1;
    for (Py_ssize_t j = 0; j < down; j++) {
        if ((j && PUT_LITERAL(b, ",") < 0) || put_bytes(b, parts[count + j]) < 0)
            return -1;
    }
    return put_bytes(b, PyTuple_GET_ITEM(d->ends, c));
}

/* The workup from the plan's keys (workup.PlanKey: (second-line only?, minus the yield, test id,
 * causes), in the plan's order): the test names, then each test with its line and yield. */
static int
put_plan(Dense *d, Buf *b, PyObject *plan)
{
    Py_ssize_t count = PyTuple_GET_SIZE(plan);
    for (Py_ssize_t j = 0; j < count; j++) {
        PyObject *item = PyTuple_GET_ITEM(plan, j);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 4) {
            PyErr_SetString(PyExc_TypeError, "plan items are (second-line only, minus the yield, test, causes)");
            return -1;
        }
        if ((j && PUT_LITERAL(b, ",") < 0) || put_lookup(b, d->names, PyTuple_GET_ITEM(item, 2)) < 0)
            return -1;
    }
    if (PUT_LITERAL(b, "],\"workup_plan\":[") < 0)
        return -1;
    for (Py_ssize_t j = 0; j < count; j++) {
        PyObject *item = PyTuple_GET_ITEM(plan, j);
        PyObject *negative = PyTuple_GET_ITEM(item, 1);
        PyObject *causes = PyTuple_GET_ITEM(item, 3);
        if (!PyFloat_Check(negative) || !PyTuple_Check(causes)) {
            PyErr_SetString(PyExc_TypeError, "a plan item's yield is a float and its causes a tuple");
            return -1;
        }
        /* the plan is a tuple of tuples, held by the call's arguments: Python code the number
         * fallback runs cannot change or free what is read here */
        if ((j && PUT_LITERAL(b, ",") < 0) || put_lookup(b, d->tests, PyTuple_GET_ITEM(item, 2)) < 0 ||
            put_lookup(b, d->lines, PyTuple_GET_ITEM(item, 0)) < 0 ||
            put_number(d, b, -PyFloat_AS_DOUBLE(negative)) < 0 || PUT_LITERAL(b, ",\"causes\":[") < 0)
            return -1;
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(causes); k++) {
            if ((k && PUT_LITERAL(b, ",") < 0) || put_lookup(b, d->cause_json, PyTuple_GET_ITEM(causes, k)) < 0)
                return -1;
        }
        if (PUT_LITERAL(b, "]}") < 0)
            return -1;
    }
    return 0;
}

/* A case's findings (rows, sorted: so by id) as a JSON list of their ids. */
static int
put_findings(Dense *d, Buf *b, Py_ssize_t *rows, Py_ssize_t count)
{
    sort_ints(rows, count);
    if (PUT_LITERAL(b, "[") < 0)
        return -1;
    for (Py_ssize_t j = 0; j < count; j++) {
        if ((j && PUT_LITERAL(b, ",") < 0) || put_bytes(b, PyTuple_GET_ITEM(d->findings, rows[j] / 2)) < 0)
            return -1;
    }
    return PUT_LITERAL(b, "]");
}

/* An int read as a cause index: 0 <= index < n, else -1 with an exception set (a ValueError
 * saying `message` when out of range). */
static Py_ssize_t
cause_index(PyObject *number, Py_ssize_t n, const char *message)
{
    Py_ssize_t index = PyLong_AsSsize_t(number);
    if (index == -1 && PyErr_Occurred())
        return -1;
    if (index < 0 || index >= n) {
        PyErr_SetString(PyExc_ValueError, message);
        return -1;
    }
    return index;
}

/* The triage object: {"level":..,"reasons":[messages],"triggers":[{"level","trigger","message",..}]}
 * from (level, reasons) of reasons (level, message, trigger, tail): `tail` is the rest of the
 * trigger's object, encoded by Python (from ,"basis": to before its closing brace). */
static int
put_triage(Buf *b, PyObject *triage)
{
    if (!PyTuple_Check(triage) || PyTuple_GET_SIZE(triage) < 2 || !PyTuple_Check(PyTuple_GET_ITEM(triage, 1))) {
        PyErr_SetString(PyExc_TypeError, "triage is (level, reasons)");
        return -1;
    }
    PyObject *reasons = PyTuple_GET_ITEM(triage, 1);
    Py_ssize_t count = PyTuple_GET_SIZE(reasons);
    for (Py_ssize_t j = 0; j < count; j++) {
        PyObject *reason = PyTuple_GET_ITEM(reasons, j);
        if (!PyTuple_Check(reason) || PyTuple_GET_SIZE(reason) < 4 || !PyBytes_Check(PyTuple_GET_ITEM(reason, 3))) {
            PyErr_SetString(PyExc_TypeError, "a triage reason is (level, message, trigger, tail bytes)");
            return -1;
        }
    }
    if (PUT_LITERAL(b, "{\"level\":") < 0 || put_string(b, PyTuple_GET_ITEM(triage, 0)) < 0 ||
        PUT_LITERAL(b, ",\"reasons\":[") < 0)
        return -1;
    for (Py_ssize_t j = 0; j < count; j++) {
        PyObject *reason = PyTuple_GET_ITEM(reasons, j);
        if ((j && PUT_LITERAL(b, ",") < 0) || put_string(b, PyTuple_GET_ITEM(reason, 1)) < 0)
            return -1;
    }
    if (PUT_LITERAL(b, "],\"triggers\":[") < 0)
        return -1;
    for (Py_ssize_t j = 0; j < count; j++) {
        PyObject *reason = PyTuple_GET_ITEM(reasons, j);
        if ((j && PUT_LITERAL(b, ",") < 0) || PUT_LITERAL(b, "{\"level\":") < 0 ||
            put_string(b, PyTuple_GET_ITEM(reason, 0)) < 0 || PUT_LITERAL(b, ",\"trigger\":") < 0 ||
            put_string(b, PyTuple_GET_ITEM(reason, 2)) < 0 || PUT_LITERAL(b, ",\"message\":") < 0 ||
            put_string(b, PyTuple_GET_ITEM(reason, 1)) < 0 || put_bytes(b, PyTuple_GET_ITEM(reason, 3)) < 0 ||
            PUT_LITERAL(b, "}") < 0)
            return -1;
    }
    return PUT_LITERAL(b, "]}");
}

PyDoc_STRVAR(line_doc,
             "line(id, age, sex, present, absent, implied, triage, prior, rows, posterior, order, top, plan, chosen=None)\n"
             "--\n\n"
             "The JSON line of a case: its id, age and sex, the rows of its present and absent findings\n"
             "(all of them), `implied` (its entries, joined), its Triage; then the first `top` causes of\n"
             "`order` with their posteriors, prior table `prior` and the entries of `rows` (the findings\n"
             "counted), then the workup `plan` (workup.PlanKey tuples in the plan's order). `chosen`\n"
             "(score_mixed's fourth list) gives the column whose entries and middle piece each cause shows.");

static PyObject *
build_line(Dense *d, PyObject *args, PyObject *into)
{
    PyObject *case_id, *age, *sex, *present_tuple, *absent_tuple, *implied, *triage, *rows_tuple, *posterior, *order,
        *plan, *chosen = Py_None;
    Py_ssize_t prior, top;
    if (!PyArg_ParseTuple(args, "OOOO!O!O!OnO!O!O!nO!|O:line", &case_id, &age, &sex, &PyTuple_Type, &present_tuple,
                          &PyTuple_Type, &absent_tuple, &PyBytes_Type, &implied, &triage, &prior, &PyTuple_Type,
                          &rows_tuple, &PyList_Type, &posterior, &PyList_Type, &order, &top, &PyTuple_Type, &plan,
                          &chosen))
        return NULL;
    Py_ssize_t n = d->n;
    if (prior_index(d, prior) < 0)
        return NULL;
    if (PyList_GET_SIZE(posterior) != n || PyList_GET_SIZE(order) != n) {
        PyErr_SetString(PyExc_ValueError, "line: one posterior and one rank per cause");
        return NULL;
    }
    if (chosen != Py_None && (!PyList_Check(chosen) || PyList_GET_SIZE(chosen) != n)) {
        PyErr_SetString(PyExc_ValueError, "line: chosen is None or a list of one column per cause");
        return NULL;
    }
    if (top < 0) {
        PyErr_SetString(PyExc_ValueError, "line: top must not be negative");
        return NULL;
    }
    if (top > n)
        top = n;
    Py_ssize_t stack[SMALL], stack_p[SMALL], stack_a[SMALL], count, np = 0, na = 0;
    Py_ssize_t *present = NULL, *absent = NULL;
    Py_ssize_t *rows = read_rows(d, rows_tuple, stack, &count);
    if (rows == NULL)
        return NULL;
    sort_ints(rows, count);
    PyObject *stack_parts[2 * SMALL];
    double stack_keys[2 * SMALL];
    PyObject **parts = stack_parts;
    double *keys = stack_keys;
    PyObject *result = NULL;
    Buf b;
    b.data = b.small;
    b.len = 0;
    b.cap = (Py_ssize_t)sizeof(b.small);
    if (count > SMALL) {
        parts = PyMem_Malloc(2 * (size_t)count * sizeof(PyObject *));
        keys = PyMem_Malloc(2 * (size_t)count * sizeof(double));
        if (parts == NULL || keys == NULL) {
            PyErr_NoMemory();
            goto done;
        }
    }
    present = read_rows(d, present_tuple, stack_p, &np);
    if (present == NULL)
        goto done;
    absent = read_rows(d, absent_tuple, stack_a, &na);
    if (absent == NULL)
        goto done;

    /* the case, its triage */
    if (put_bytes(&b, d->head) < 0)
        goto done;
    if (case_id != Py_None && (PUT_LITERAL(&b, ",\"id\":") < 0 || put_string(&b, case_id) < 0))
        goto done;
    if (PUT_LITERAL(&b, ",\"case\":{\"age\":") < 0 || put_int_or_null(&b, age) < 0 || PUT_LITERAL(&b, ",\"sex\":") < 0 ||
        (sex == Py_None ? PUT_LITERAL(&b, "null") : put_string(&b, sex)) < 0 || PUT_LITERAL(&b, ",\"present\":") < 0 ||
        put_findings(d, &b, present, np) < 0 || PUT_LITERAL(&b, ",\"absent\":") < 0 ||
        put_findings(d, &b, absent, na) < 0 || PUT_LITERAL(&b, ",\"implied\":[") < 0 || put_bytes(&b, implied) < 0 ||
        PUT_LITERAL(&b, "]},\"triage\":") < 0 || put_triage(&b, triage) < 0 || PUT_LITERAL(&b, ",\"differential\":[") < 0)
        goto done;

    /* the differential */
    for (Py_ssize_t rank = 0; rank < top; rank++) {
        /* checked again for each row: writing a number may call Python (`fallback`), which
         * could have shortened either list since */
        if (PyList_GET_SIZE(posterior) != n || PyList_GET_SIZE(order) != n ||
            (chosen != Py_None && PyList_GET_SIZE(chosen) != n)) {
            PyErr_SetString(PyExc_RuntimeError, "line: posterior, order or chosen changed size during the call");
            goto done;
        }
        Py_ssize_t c = cause_index(PyList_GET_ITEM(order, rank), n, "line: a rank names no cause");
        if (c < 0)
            goto done;
        PyObject *post = PyList_GET_ITEM(posterior, c);
        if (!PyFloat_Check(post)) {
            PyErr_SetString(PyExc_TypeError, "line: posteriors are floats");
            goto done;
        }
        Py_ssize_t column = c;
        if (chosen != Py_None) {
            column = cause_index(PyList_GET_ITEM(chosen, c), d->w, "line: a chosen column is out of range");
            if (column < 0)
                goto done;
        }
        if (put_row(d, &b, rank + 1, c, column, PyFloat_AS_DOUBLE(post), prior, rows, count, parts, keys) < 0)
            goto done;
    }
    if (top > 0)
        b.len--; /* the last row: no comma after it */

    /* the workup */
    if (PUT_LITERAL(&b, "],\"workup\":[") < 0 || put_plan(d, &b, plan) < 0 || PUT_LITERAL(&b, "]") < 0 ||
        put_bytes(&b, d->tail) < 0)
        goto done;
    if (into == NULL) {
        result = PyBytes_FromStringAndSize(b.data, b.len);
    }
    else {
        Py_ssize_t size = PyByteArray_GET_SIZE(into);
        if (b.len > PY_SSIZE_T_MAX - size) {
            PyErr_NoMemory();
            goto done;
        }
        if (PyByteArray_Resize(into, size + b.len) < 0)
            goto done;
        memcpy(PyByteArray_AS_STRING(into) + size, b.data, (size_t)b.len);
        result = Py_NewRef(Py_None);
    }
done:
    buf_free(&b);
    if (parts != stack_parts)
        PyMem_Free(parts);
    if (keys != stack_keys)
        PyMem_Free(keys);
    if (rows != stack)
        PyMem_Free(rows);
    if (present != NULL && present != stack_p)
        PyMem_Free(present);
    if (absent != NULL && absent != stack_a)
        PyMem_Free(absent);
    return result;
}

static PyObject *
Dense_line(Dense *d, PyObject *args)
{
    return build_line(d, args, NULL);
}

PyDoc_STRVAR(append_line_doc,
             "append_line(out, id, age, sex, present, absent, implied, triage, prior, rows, posterior, order, top, plan)\n"
             "--\n\n"
             "line(...) appended to the bytearray `out` (a batch chunk's output), without a bytes object of its own.");

static PyObject *
Dense_append_line(Dense *d, PyObject *args)
{
    if (PyTuple_GET_SIZE(args) < 1 || !PyByteArray_Check(PyTuple_GET_ITEM(args, 0))) {
        PyErr_SetString(PyExc_TypeError, "append_line: the first argument is a bytearray");
        return NULL;
    }
    PyObject *rest = PyTuple_GetSlice(args, 1, PyTuple_GET_SIZE(args));
    if (rest == NULL)
        return NULL;
    PyObject *result = build_line(d, rest, PyTuple_GET_ITEM(args, 0));
    Py_DECREF(rest);
    return result;
}

PyDoc_STRVAR(set_tests_doc, "set_tests(cause_ids, test_ids, tests)\n--\n\n"
                            "The workup's table: for each cause (ids in index order), its tests as (index into\n"
                            "test_ids, listed first-line) pairs, each test once.");

static PyObject *
Dense_set_tests(Dense *d, PyObject *args)
{
    PyObject *cause_ids, *test_ids, *tests;
    if (!PyArg_ParseTuple(args, "O!O!O!:set_tests", &PyTuple_Type, &cause_ids, &PyTuple_Type, &test_ids, &PyTuple_Type,
                          &tests))
        return NULL;
    Py_ssize_t n = d->n, ntests = PyTuple_GET_SIZE(test_ids), total = 0;
    if (PyTuple_GET_SIZE(cause_ids) != n || PyTuple_GET_SIZE(tests) != n) {
        PyErr_SetString(PyExc_ValueError, "set_tests: one id and one list of tests per cause");
        return NULL;
    }
    for (Py_ssize_t c = 0; c < n; c++) {
        PyObject *listed = PyTuple_GET_ITEM(tests, c);
        if (!PyUnicode_Check(PyTuple_GET_ITEM(cause_ids, c)) || !PyTuple_Check(listed)) {
            PyErr_SetString(PyExc_TypeError, "set_tests: cause ids are str, their tests tuples");
            return NULL;
        }
        total += PyTuple_GET_SIZE(listed);
    }
    for (Py_ssize_t t = 0; t < ntests; t++) {
        if (!PyUnicode_Check(PyTuple_GET_ITEM(test_ids, t))) {
            PyErr_SetString(PyExc_TypeError, "set_tests: test ids are str");
            return NULL;
        }
    }
    Py_ssize_t *start = PyMem_Malloc((size_t)(n + 1) * sizeof(Py_ssize_t));
    Py_ssize_t *flat = PyMem_Malloc((size_t)(total ? total : 1) * sizeof(Py_ssize_t));
    char *first = PyMem_Malloc((size_t)(total ? total : 1));
    if (start == NULL || flat == NULL || first == NULL)
        goto fail_memory;
    Py_ssize_t at = 0;
    for (Py_ssize_t c = 0; c < n; c++) {
        PyObject *listed = PyTuple_GET_ITEM(tests, c);
        start[c] = at;
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(listed); j++) {
            PyObject *pair = PyTuple_GET_ITEM(listed, j);
            Py_ssize_t index;
            int is_first;
            if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
                PyErr_SetString(PyExc_TypeError, "set_tests: a cause's tests are (index, first-line) pairs");
                goto fail;
            }
            index = PyLong_AsSsize_t(PyTuple_GET_ITEM(pair, 0));
            if (index == -1 && PyErr_Occurred())
                goto fail;
            if (index < 0 || index >= ntests) {
                PyErr_SetString(PyExc_ValueError, "set_tests: a test index out of range");
                goto fail;
            }
            for (Py_ssize_t k = start[c]; k < at; k++) {
                if (flat[k] == index) {
                    PyErr_SetString(PyExc_ValueError, "set_tests: a cause lists a test twice");
                    goto fail;
                }
            }
            is_first = PyObject_IsTrue(PyTuple_GET_ITEM(pair, 1));
            if (is_first < 0)
                goto fail;
            flat[at] = index;
            first[at] = (char)is_first;
            at++;
        }
    }
    start[n] = at;
    PyMem_Free(d->tests_start);
    PyMem_Free(d->listing);
    PyMem_Free(d->listing_first);
    d->tests_start = start;
    d->listing = flat;
    d->listing_first = first;
    d->ntests = ntests;
    Py_XSETREF(d->cause_ids, Py_NewRef(cause_ids));
    Py_XSETREF(d->test_ids, Py_NewRef(test_ids));
    Py_RETURN_NONE;
fail_memory:
    PyErr_NoMemory();
fail:
    PyMem_Free(start);
    PyMem_Free(flat);
    PyMem_Free(first);
    return NULL;
}

PyDoc_STRVAR(gather_doc, "gather(order, posterior, count)\n--\n\n"
                         "The tests of the first `count` causes of `order`, each once, in the order first met, as\n"
                         "gutnerve.workup.PlanKey tuples: (no cause lists it first-line, minus the posteriors of the\n"
                         "causes listing it summed in rank order, test id, those causes' ids). Which causes count,\n"
                         "and the order of the plan, are the workup's (gutnerve.workup).");

static PyObject *
Dense_gather(Dense *d, PyObject *args)
{
    PyObject *order, *posterior;
    Py_ssize_t count;
    if (!PyArg_ParseTuple(args, "O!O!n:gather", &PyList_Type, &order, &PyList_Type, &posterior, &count))
        return NULL;
    Py_ssize_t n = d->n, ntests = d->ntests;
    if (d->tests_start == NULL) {
        PyErr_SetString(PyExc_ValueError, "gather: set_tests was not called");
        return NULL;
    }
    if (PyList_GET_SIZE(order) != n || PyList_GET_SIZE(posterior) != n) {
        PyErr_SetString(PyExc_ValueError, "gather: one rank and one posterior per cause");
        return NULL;
    }
    if (count < 0)
        count = 0;
    if (count > n)
        count = n;
    PyObject *result = NULL;
    /* slot[t]: the place of test t among those met (-1: not met); for each place: its test, sum,
     * first-line flag, and the causes listing it (at most `count`: members[place * count + j]) */
    size_t cells = (size_t)(ntests ? ntests : 1);
    if (count && cells > (size_t)PY_SSIZE_T_MAX / sizeof(Py_ssize_t) / (size_t)count)
        return PyErr_NoMemory();
    /* the ids, held: the objects made below may start a collection, whose callbacks or finalizers
     * (Python) could replace the table with set_tests */
    PyObject *cause_ids = d->cause_ids, *test_ids = d->test_ids;
    Py_INCREF(cause_ids);
    Py_INCREF(test_ids);
    Py_ssize_t *slot = PyMem_Malloc(cells * sizeof(Py_ssize_t));
    Py_ssize_t *met = PyMem_Malloc(cells * sizeof(Py_ssize_t));
    Py_ssize_t *listed = PyMem_Malloc(cells * sizeof(Py_ssize_t));
    double *sums = PyMem_Malloc(cells * sizeof(double));
    char *first = PyMem_Malloc(cells);
    Py_ssize_t *members = PyMem_Malloc(cells * (size_t)(count ? count : 1) * sizeof(Py_ssize_t));
    if (slot == NULL || met == NULL || listed == NULL || sums == NULL || first == NULL || members == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t t = 0; t < ntests; t++)
        slot[t] = -1;
    Py_ssize_t places = 0;
    for (Py_ssize_t rank = 0; rank < count; rank++) {
        Py_ssize_t c = PyLong_AsSsize_t(PyList_GET_ITEM(order, rank));
        if (c == -1 && PyErr_Occurred())
            goto done;
        if (c < 0 || c >= n) {
            PyErr_SetString(PyExc_ValueError, "gather: a rank names no cause");
            goto done;
        }
        PyObject *post = PyList_GET_ITEM(posterior, c);
        if (!PyFloat_Check(post)) {
            PyErr_SetString(PyExc_TypeError, "gather: posteriors are floats");
            goto done;
        }
        double p = PyFloat_AS_DOUBLE(post);
        for (Py_ssize_t k = d->tests_start[c]; k < d->tests_start[c + 1]; k++) {
            Py_ssize_t t = d->listing[k], place = slot[t];
            if (place < 0) {
                place = slot[t] = places++;
                met[place] = t;
                sums[place] = p;
                first[place] = 0;
                listed[place] = 0;
            }
            else {
                sums[place] += p;
            }
            first[place] |= d->listing_first[k];
            members[place * count + listed[place]++] = c;
        }
    }
    result = PyList_New(places);
    if (result == NULL)
        goto done;
    for (Py_ssize_t place = 0; place < places; place++) {
        PyObject *causes = PyTuple_New(listed[place]);
        PyObject *sum = PyFloat_FromDouble(-sums[place]);
        if (causes == NULL || sum == NULL) {
            Py_XDECREF(causes);
            Py_XDECREF(sum);
            Py_CLEAR(result);
            goto done;
        }
        for (Py_ssize_t j = 0; j < listed[place]; j++) {
            PyObject *cause_id = PyTuple_GET_ITEM(cause_ids, members[place * count + j]);
            Py_INCREF(cause_id);
            PyTuple_SET_ITEM(causes, j, cause_id);
        }
        PyObject *item = PyTuple_Pack(4, first[place] ? Py_False : Py_True, sum, PyTuple_GET_ITEM(test_ids, met[place]),
                                      causes);
        Py_DECREF(sum);
        Py_DECREF(causes);
        if (item == NULL) {
            Py_CLEAR(result);
            goto done;
        }
        PyList_SET_ITEM(result, place, item);
    }
done:
    Py_DECREF(cause_ids);
    Py_DECREF(test_ids);
    PyMem_Free(slot);
    PyMem_Free(met);
    PyMem_Free(listed);
    PyMem_Free(sums);
    PyMem_Free(first);
    PyMem_Free(members);
    return result;
}

static PyMethodDef Dense_methods[] = {
    {"set_row", (PyCFunction)Dense_set_row, METH_VARARGS, set_row_doc},
    {"add_prior", (PyCFunction)Dense_add_prior, METH_VARARGS, add_prior_doc},
    {"score", (PyCFunction)Dense_score, METH_VARARGS, score_doc},
    {"score_mixed", (PyCFunction)Dense_score_mixed, METH_VARARGS, score_mixed_doc},
    {"set_mixtures", (PyCFunction)Dense_set_mixtures, METH_VARARGS, set_mixtures_doc},
    {"line", (PyCFunction)Dense_line, METH_VARARGS, line_doc},
    {"append_line", (PyCFunction)Dense_append_line, METH_VARARGS, append_line_doc},
    {"set_tests", (PyCFunction)Dense_set_tests, METH_VARARGS, set_tests_doc},
    {"gather", (PyCFunction)Dense_gather, METH_VARARGS, gather_doc},
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(Dense_doc, "Dense(heads, middles, ends, findings, numbers, fallback, tests, names, lines, causes, head, tail)\n--\n\n"
                        "A knowledge base's scoring rows and JSON pieces, for a knowledge base scored densely.");

static PyTypeObject DenseType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "gutnerve._speedups.Dense",
    .tp_basicsize = sizeof(Dense),
    .tp_dealloc = (destructor)Dense_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = Dense_doc,
    .tp_methods = Dense_methods,
    .tp_new = Dense_new,
};

PyDoc_STRVAR(fsum_doc, "fsum(values)\n--\n\nThe kernel's correctly rounded sum of finite floats (as math.fsum), for tests.");

static PyObject *
speedups_fsum(PyObject *module, PyObject *arg)
{
    (void)module;
    PyObject *fast = PySequence_Fast(arg, "fsum: a sequence of floats");
    if (fast == NULL)
        return NULL;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(fast);
    double *values = PyMem_Malloc((size_t)(count ? count : 1) * sizeof(double));
    if (values == NULL) {
        Py_DECREF(fast);
        return PyErr_NoMemory();
    }
    PyObject *result = NULL;
    if (doubles(fast, count, values, "fsum") == 0) {
        double total;
        if (fsum(values, count, &total) == 0)
            result = PyFloat_FromDouble(total);
    }
    PyMem_Free(values);
    Py_DECREF(fast);
    return result;
}

PyDoc_STRVAR(raised_total_doc,
             "raised_total(posterior, prior, indices, factor)\n--\n\n"
             "math.fsum of posterior[i] for i in indices where posterior[i] > prior[i] and\n"
             "posterior[i] * (1 - prior[i]) >= factor * prior[i] * (1 - posterior[i]): what\n"
             "gutnerve.model.Ranked.raised_total sums, over lists of floats (which causes, and the\n"
             "factor, are triage's).");

static PyObject *
speedups_raised_total(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *posterior, *prior, *indices;
    double factor;
    if (!PyArg_ParseTuple(args, "O!O!O!d:raised_total", &PyList_Type, &posterior, &PyList_Type, &prior, &PyTuple_Type,
                          &indices, &factor))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(posterior), count = PyTuple_GET_SIZE(indices);
    if (PyList_GET_SIZE(prior) != n) {
        PyErr_SetString(PyExc_ValueError, "raised_total: one prior and one posterior per cause");
        return NULL;
    }
    double stack[64], *chosen = count <= 64 ? stack : PyMem_Malloc((size_t)count * sizeof(double));
    if (chosen == NULL)
        return PyErr_NoMemory();
    Py_ssize_t kept = 0;
    PyObject *result = NULL;
    /* no Python code runs in this loop (ints and floats are read as they are): the lists cannot
     * change under it */
    for (Py_ssize_t j = 0; j < count; j++) {
        PyObject *index = PyTuple_GET_ITEM(indices, j);
        if (!PyLong_Check(index)) {
            PyErr_SetString(PyExc_TypeError, "raised_total: indices are ints");
            goto done;
        }
        Py_ssize_t i = cause_index(index, n, "raised_total: an index names no cause");
        if (i < 0)
            goto done;
        PyObject *p_object = PyList_GET_ITEM(posterior, i), *q_object = PyList_GET_ITEM(prior, i);
        if (!PyFloat_Check(p_object) || !PyFloat_Check(q_object)) {
            PyErr_SetString(PyExc_TypeError, "raised_total: posteriors and priors are floats");
            goto done;
        }
        double p = PyFloat_AS_DOUBLE(p_object), q = PyFloat_AS_DOUBLE(q_object);
        if (p > q && p * (1.0 - q) >= factor * q * (1.0 - p))
            chosen[kept++] = p;
    }
    double total;
    if (fsum(chosen, kept, &total) == 0)
        result = PyFloat_FromDouble(total);
done:
    if (chosen != stack)
        PyMem_Free(chosen);
    return result;
}

PyDoc_STRVAR(parts_mass_doc,
             "parts_mass(posterior, prior, shares, parts, slots, factor)\n--\n\n"
             "For each part (cause index, place in shares, share of the prior, slot) in turn, with\n"
             "p = posterior[cause] * shares[place] and q = prior[cause] * share of the prior: p added\n"
             "to its slot's total (from 0.0, in the parts' order) where p > q and\n"
             "p * (1 - q) >= factor * q * (1 - p); the `slots` totals, as a list. What\n"
             "gutnerve.model.Ranked.parts_mass sums, over lists of floats (which parts, their slots\n"
             "and the factor are triage's).");

static PyObject *
speedups_parts_mass(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *posterior, *prior, *shares, *parts;
    Py_ssize_t slots;
    double factor;
    if (!PyArg_ParseTuple(args, "O!O!O!O!nd:parts_mass", &PyList_Type, &posterior, &PyList_Type, &prior, &PyList_Type,
                          &shares, &PyTuple_Type, &parts, &slots, &factor))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(posterior), count = PyTuple_GET_SIZE(parts), places = PyList_GET_SIZE(shares);
    if (PyList_GET_SIZE(prior) != n) {
        PyErr_SetString(PyExc_ValueError, "parts_mass: one prior and one posterior per cause");
        return NULL;
    }
    if (slots < 0 || slots > 64) {
        PyErr_SetString(PyExc_ValueError, "parts_mass: 0 to 64 slots");
        return NULL;
    }
    double total[64] = {0.0};
    /* no Python code runs in this loop (tuples, ints and floats are read as they are): the lists
     * cannot change under it */
    for (Py_ssize_t j = 0; j < count; j++) {
        PyObject *part = PyTuple_GET_ITEM(parts, j);
        if (!PyTuple_Check(part) || PyTuple_GET_SIZE(part) != 4 || !PyLong_Check(PyTuple_GET_ITEM(part, 0)) ||
            !PyLong_Check(PyTuple_GET_ITEM(part, 1)) || !PyFloat_Check(PyTuple_GET_ITEM(part, 2)) ||
            !PyLong_Check(PyTuple_GET_ITEM(part, 3))) {
            PyErr_SetString(PyExc_TypeError, "parts_mass: parts are (int, int, float, int)");
            return NULL;
        }
        Py_ssize_t c = cause_index(PyTuple_GET_ITEM(part, 0), n, "parts_mass: a part names no cause");
        if (c < 0)
            return NULL;
        Py_ssize_t place = cause_index(PyTuple_GET_ITEM(part, 1), places, "parts_mass: a place out of the shares");
        if (place < 0)
            return NULL;
        Py_ssize_t slot = cause_index(PyTuple_GET_ITEM(part, 3), slots, "parts_mass: a slot out of range");
        if (slot < 0)
            return NULL;
        PyObject *p_object = PyList_GET_ITEM(posterior, c), *q_object = PyList_GET_ITEM(prior, c);
        PyObject *share = PyList_GET_ITEM(shares, place);
        if (!PyFloat_Check(p_object) || !PyFloat_Check(q_object) || !PyFloat_Check(share)) {
            PyErr_SetString(PyExc_TypeError, "parts_mass: posteriors, priors and shares are floats");
            return NULL;
        }
        double p = PyFloat_AS_DOUBLE(p_object) * PyFloat_AS_DOUBLE(share);
        double q = PyFloat_AS_DOUBLE(q_object) * PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(part, 2));
        if (p > q && p * (1.0 - q) >= factor * q * (1.0 - p))
            total[slot] += p;
    }
    PyObject *result = PyList_New(slots);
    if (result == NULL)
        return NULL;
    for (Py_ssize_t k = 0; k < slots; k++) {
        PyObject *value = PyFloat_FromDouble(total[k]);
        if (value == NULL) {
            Py_DECREF(result);
            return NULL;
        }
        PyList_SET_ITEM(result, k, value);
    }
    return result;
}

static PyMethodDef module_methods[] = {
    {"fsum", speedups_fsum, METH_O, fsum_doc},
    {"raised_total", speedups_raised_total, METH_VARARGS, raised_total_doc},
    {"parts_mass", speedups_parts_mass, METH_VARARGS, parts_mass_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "gutnerve._speedups",
    .m_doc = "The compiled scoring kernel and JSON line of gutnerve batch.",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    if (PyType_Ready(&DenseType) < 0)
        return NULL;
    PyObject *module = PyModule_Create(&speedups_module);
    if (module == NULL)
        return NULL;
    /* gutnerve.fastline uses the module only when this matches its own LAYOUT: an in-place build
     * left from an older source falls back to the pure path instead of misreading its arguments */
    if (PyModule_AddIntConstant(module, "LAYOUT", 7) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    PyObject *tie = PyFloat_FromDouble(TIE); /* a test checks it is scoring.TIE */
    if (tie == NULL || PyModule_AddObject(module, "TIE", tie) < 0) {
        Py_XDECREF(tie);
        Py_DECREF(module);
        return NULL;
    }
    Py_INCREF(&DenseType);
    if (PyModule_AddObject(module, "Dense", (PyObject *)&DenseType) < 0) {
        Py_DECREF(&DenseType);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
