/* A story of the stream kernel (ext/story_stream.pyx): what the average link needs. */
#ifndef RETOLD_STORY_STREAM_H
#define RETOLD_STORY_STREAM_H
#include <stdint.h>
#include <unordered_map>

struct StoryRec {
    int64_t active;   /* members not archived yet */
    std::unordered_map<int64_t, double> links;  /* other story -> summed edge weight */
    StoryRec() : active(0) {}
};

typedef std::unordered_map<int64_t, StoryRec> StoryMap;
typedef std::unordered_map<int64_t, double> LinkMap;
#endif
