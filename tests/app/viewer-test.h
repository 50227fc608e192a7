/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What lt-viewer's in-process tests share (test-lt-viewer.c): the
 * application, windows over the fixture, waiting for states and steps.
 */
#pragma once

#include "lt-viewer-application.h"
#include "lt-viewer-window-private.h"
#include "ui-test-helpers.h"

extern LtViewerApplication *test_app;

LtViewerWindow *test_window_new       (void);
void            test_window_destroy   (LtViewerWindow *window);
gboolean        test_wait_state       (LtViewerWindow *window,
                                       LtViewerState   state);
gboolean        test_wait_steps       (LtViewerWindow *window,
                                       guint64         steps);
void            test_activate         (LtViewerWindow *window,
                                       const char     *action);
void            test_start_training   (LtViewerWindow *window,
                                       guint64         steps);

/* test-lt-viewer-bad-input.c */
void            test_add_bad_input_tests (void);
/* test-lt-viewer-views.c */
void            test_add_view_tests       (void);
/* test-lt-viewer-screenshots.c */
void            test_add_screenshot_tests (void);
/* test-lt-viewer-zh.c: only with LANGUAGE=zh_CN */
void            test_add_chinese_tests   (void);
