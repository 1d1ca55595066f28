/* linemap.h — private to src/manifest: building the node → line map. */
#ifndef PGADMIT_MANIFEST_LINEMAP_H
#define PGADMIT_MANIFEST_LINEMAP_H

#include "pgadmit/manifest.h"

struct manifest_linemap *linemap_new(void);
/* Empty the map for the next document, keeping its table (the loader reuses
 * one map per stream: no allocation per document). A table grown past
 * LINEMAP_KEEP slots by a large document is released, so memory stays flat. */
#define LINEMAP_KEEP 4096u
void linemap_clear(struct manifest_linemap *m);
/* 0, or -1 on OOM. Singletons (true/false/null) are not recorded. */
int linemap_put(struct manifest_linemap *m, const json_t *node, int line);

#endif
