#!/usr/bin/env node
// tests/lib/chart_yaml.js — read values out of a rendered chart (`helm
// template` output, multi-document YAML) for tests/integration/test_install_chart.sh.
//   node tests/lib/chart_yaml.js TOOLS webhook-settings FILE
//       prints "failurePolicy timeoutSeconds replicas" of the first
//       ValidatingWebhookConfiguration webhook and the Deployment
//   node tests/lib/chart_yaml.js TOOLS policy FILE
//       writes the policy.yaml of the ConfigMap that holds one, exactly
// The yaml package comes from TOOLS/node_modules (scripts/get-helm installs
// it). A missing object or field throws: exit 1 with the reason on stderr.
"use strict";
const fs = require("fs");
const { createRequire } = require("module");

const [tools, cmd, file] = process.argv.slice(2);
const YAML = require(createRequire(tools + "/package.json").resolve("yaml"));
const objects = YAML.parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => d.toJS()).filter(Boolean);

if (cmd === "webhook-settings") {
  const w = objects.find((x) => x.kind === "ValidatingWebhookConfiguration").webhooks[0];
  const d = objects.find((x) => x.kind === "Deployment");
  console.log(w.failurePolicy, w.timeoutSeconds, d.spec.replicas);
} else if (cmd === "policy") {
  process.stdout.write(objects.find((x) => x.kind === "ConfigMap" && x.data["policy.yaml"]).data["policy.yaml"]);
} else {
  console.error("usage: chart_yaml.js TOOLS webhook-settings|policy FILE");
  process.exit(2);
}
