# complysim serve (issue 16), beyond the Catch2 tests:
#  - serve.api: the JSON API against a real server on a free port: bad JSON,
#    unknown lever, out-of-range value, users above the cap, two runs at once,
#    a client disconnecting mid-run, exports reproduced by `complysim compare`.
#  - serve.browser: the page in headless chromium (chromium-driver,
#    python3-selenium): two levers moved, Run, numbers read off the page equal
#    `complysim compare` on the exported TOML files; the four download buttons
#    (base, what-if, CSV, charts PNG) deliver their files; screenshot in
#    ${PROJECT_BINARY_DIR}/test-artifacts/serve_page.png (charts: serve_charts.png); no console errors.
#    Exit 77 (skipped) without chromium or selenium.
add_test(NAME serve.api
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/serve/api_check.py
                 $<TARGET_FILE:complysim> ${PROJECT_SOURCE_DIR}/scenarios ${PROJECT_BINARY_DIR}/test-artifacts/serve_api)
set_tests_properties(serve.api PROPERTIES LABELS "serve;e2e" ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1" TIMEOUT 600 RUN_SERIAL TRUE)
add_test(NAME serve.browser
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/serve/browser_check.py
                 $<TARGET_FILE:complysim> ${PROJECT_SOURCE_DIR}/scenarios ${PROJECT_BINARY_DIR}/test-artifacts)
set_tests_properties(serve.browser PROPERTIES LABELS "serve;e2e;browser" SKIP_RETURN_CODE 77
                     ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1" TIMEOUT 900 RUN_SERIAL TRUE)
# The Catch2 tests of sim/serve (tests/serve/serve_app_test.cpp, picked up by the
# *_test.cpp glob) need the serve library.
target_link_libraries(complysim_tests PRIVATE complysim_serve)
