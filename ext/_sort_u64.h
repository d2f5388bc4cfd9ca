/* In-place sort of uint64 arrays and removal of duplicates, for shingle sets, and the size of
 * the intersection of two such sorted sets (exact Jaccard and containment).
 * Quicksort with median-of-three and an insertion sort for short runs; an explicit stack bounds
 * the recursion so a hostile input cannot overflow the C stack (worst case O(n^2) time only).
 */
#ifndef RETOLD_SORT_U64_H
#define RETOLD_SORT_U64_H
#include <stddef.h>
#include <stdint.h>

static inline void retold_insertion_sort_u64(uint64_t *a, ptrdiff_t lo, ptrdiff_t hi) {
    for (ptrdiff_t i = lo + 1; i <= hi; i++) {
        uint64_t v = a[i];
        ptrdiff_t j = i - 1;
        while (j >= lo && a[j] > v) { a[j + 1] = a[j]; j--; }
        a[j + 1] = v;
    }
}

static inline void retold_swap_u64(uint64_t *a, ptrdiff_t i, ptrdiff_t j) {
    uint64_t t = a[i]; a[i] = a[j]; a[j] = t;
}

static void retold_sort_u64(uint64_t *a, ptrdiff_t n) {
    ptrdiff_t stack[128];
    int top = 0;
    if (n < 2) return;
    stack[top++] = 0; stack[top++] = n - 1;
    while (top > 0) {
        ptrdiff_t hi = stack[--top], lo = stack[--top];
        while (hi - lo > 16) {
            ptrdiff_t mid = lo + (hi - lo) / 2;
            if (a[mid] < a[lo]) retold_swap_u64(a, mid, lo);
            if (a[hi] < a[lo]) retold_swap_u64(a, hi, lo);
            if (a[hi] < a[mid]) retold_swap_u64(a, hi, mid);
            uint64_t pivot = a[mid];
            ptrdiff_t i = lo, j = hi;
            while (i <= j) {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j) { retold_swap_u64(a, i, j); i++; j--; }
            }
            /* Push the larger side, loop on the smaller: the stack stays O(log n). */
            if (j - lo > hi - i) {
                if (lo < j) { stack[top++] = lo; stack[top++] = j; }
                lo = i;
            } else {
                if (i < hi) { stack[top++] = i; stack[top++] = hi; }
                hi = j;
            }
        }
        retold_insertion_sort_u64(a, lo, hi);
    }
}

/* Sort a[0:n] and drop duplicates; returns the new length. */
static ptrdiff_t retold_sort_unique_u64(uint64_t *a, ptrdiff_t n) {
    if (n < 2) return n;
    retold_sort_u64(a, n);
    ptrdiff_t w = 1;
    for (ptrdiff_t r = 1; r < n; r++) {
        if (a[r] != a[w - 1]) a[w++] = a[r];
    }
    return w;
}

/* Elements two sorted unique arrays share: one merge walk, O(na + nb). */
static inline ptrdiff_t retold_intersection_size_u64(const uint64_t *a, ptrdiff_t na,
                                                     const uint64_t *b, ptrdiff_t nb) {
    ptrdiff_t i = 0, j = 0, common = 0;
    while (i < na && j < nb) {
        if (a[i] == b[j]) { common++; i++; j++; }
        else if (a[i] < b[j]) i++;
        else j++;
    }
    return common;
}
#endif
