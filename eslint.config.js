// Type-aware lint for every workspace; each workspace runs `eslint .` from its own folder.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/.next/**",
      "**/dist/**",
      "**/data/**",
      "drizzle/**",
      "**/*.js",
      "**/*.mjs",
      "**/next-env.d.ts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          allowForKnownSafeCalls: [
            {
              from: "package",
              package: "node:test",
              name: ["test", "it", "describe", "suite", "before", "after", "beforeEach", "afterEach"],
            },
          ],
        },
      ],
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        { allowNumber: true, allowBoolean: true },
      ],
      "no-console": "off",
    },
  },
  {
    files: ["**/*.test.ts", "**/test/**/*.ts", "bench/**/*.ts", "e2e/**/*.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
  {
    // The server's src/ tree is production code only: test support lives in apps/server/test/support,
    // and the simulator is a dev dependency that must never end up in the production import graph.
    files: ["apps/server/src/**/*.ts"],
    ignores: ["apps/server/src/**/*.test.ts"],
    rules: {
      // A registration or composition function past a screen is a closure that wants to be a class or
      // a file of its own (issue #19's rule for the server).
      "max-lines-per-function": ["error", { max: 80 }],
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@torghut/market-sim", "@torghut/market-sim/*"],
              message: "The simulator is dev-only; use it from tests or apps/server/test/support.",
            },
            {
              group: ["@torghut/testing", "@torghut/testing/*"],
              message: "Test helpers belong in tests and apps/server/test/support.",
            },
            {
              group: ["node:test", "node:assert", "node:assert/*", "assert", "assert/*"],
              message: "Test-runner and assertion modules belong in *.test.ts or apps/server/test/support.",
            },
            {
              group: ["**/test/**", "**/test"],
              message: "Production code must not import test support or fixtures.",
            },
          ],
        },
      ],
    },
  },
);
