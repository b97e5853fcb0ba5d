# Source me: Debian packages the test suite needs beyond what the machine ships.
# (Empty for now; the browser end-to-end tests add Chromium and nginx here.)
:
