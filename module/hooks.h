/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside the module: the hook table colo-multifd.c gives stamp.c to register. */
#ifndef MODULE_HOOKS_H
#define MODULE_HOOKS_H

#include "colo-multifd.h"

extern const ColoMultifdHooks colo_multifd_module_hooks;

#endif
