/* A story of the stream kernel (ext/story_stream.pyx): what the average link needs.
 *
 * A story's links to other stories are a vector of (story id, summed edge weight) sorted by
 * id, not a hash map: the decisions read every link of a story (a scan of one contiguous
 * block instead of a chase through scattered nodes), folding two stories is a merge of two
 * sorted runs, and a story has tens of links, so an insertion's shift is short. */
#ifndef RETOLD_STORY_STREAM_H
#define RETOLD_STORY_STREAM_H
#include <stdint.h>
#include <algorithm>
#include <utility>
#include <vector>

typedef std::pair<int64_t, double> Link;
typedef std::vector<Link> Links;

struct StoryRec {
    int64_t active;   /* members not archived yet */
    Links links;      /* other story -> summed edge weight, by story id */
    StoryRec() : active(0) {}
};

static inline Links::iterator retold_links_at(Links& v, int64_t key) {
    return std::lower_bound(v.begin(), v.end(), key,
                            [](const Link& a, int64_t k) { return a.first < k; });
}

/* v[key] = w (inserted in order, or overwritten). */
static inline void retold_links_set(Links& v, int64_t key, double w) {
    Links::iterator it = retold_links_at(v, key);
    if (it != v.end() && it->first == key) it->second = w;
    else v.insert(it, Link(key, w));
}

/* v[key] = v[key] + w where present, else w (the twin's sums, in its order). */
static inline void retold_links_add(Links& v, int64_t key, double w) {
    Links::iterator it = retold_links_at(v, key);
    if (it != v.end() && it->first == key) it->second = it->second + w;
    else v.insert(it, Link(key, w));
}

static inline void retold_links_erase(Links& v, int64_t key) {
    Links::iterator it = retold_links_at(v, key);
    if (it != v.end() && it->first == key) v.erase(it);
}

/* The links of story `keep` once story `gone` is folded into it: both stories' links, a
 * partner of both with the sum (keep's weight first), neither story itself. */
static inline void retold_links_fold(Links& k, const Links& g, int64_t keep, int64_t gone) {
    Links out;
    out.reserve(k.size() + g.size());
    size_t i = 0, j = 0;
    while (i < k.size() || j < g.size()) {
        if (j == g.size() || (i < k.size() && k[i].first < g[j].first)) {
            if (k[i].first != gone) out.push_back(k[i]);
            i++;
        } else if (i == k.size() || g[j].first < k[i].first) {
            if (g[j].first != keep) out.push_back(g[j]);
            j++;
        } else {
            out.push_back(Link(k[i].first, k[i].second + g[j].second));
            i++;
            j++;
        }
    }
    k.swap(out);
}

/* The keys of a map from story ids, in increasing order (the twin's sorted() of its dict). */
template <class Map>
static inline std::vector<int64_t> retold_sorted_keys(const Map& m) {
    std::vector<int64_t> keys;
    keys.reserve(m.size());
    for (typename Map::const_iterator it = m.begin(); it != m.end(); ++it) keys.push_back(it->first);
    std::sort(keys.begin(), keys.end());
    return keys;
}
#endif
