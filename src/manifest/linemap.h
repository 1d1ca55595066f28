/* linemap.h — private to src/manifest: building the node → line map. */
#ifndef PGADMIT_MANIFEST_LINEMAP_H
#define PGADMIT_MANIFEST_LINEMAP_H

#include "pgadmit/manifest.h"

struct manifest_linemap *linemap_new(void);
/* 0, or -1 on OOM. Singletons (true/false/null) are not recorded. */
int linemap_put(struct manifest_linemap *m, const json_t *node, int line);

#endif
