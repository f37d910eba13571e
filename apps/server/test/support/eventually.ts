// The server's tests import the shared helper from here; it lives in @torghut/testing.
export * from "@torghut/testing";
