#!/usr/bin/env node
// Validate every object of rendered multi-document YAML against the
// Kubernetes API schemas with kubernetes-models (each object's class
// .validate()); cert-manager and Prometheus Operator objects with
// @kubernetes-models/cert-manager and @kubernetes-models/prometheus-operator.
//   node tests/chart/validate.js FILE...      (- for standard input)
// Packages come from $PGADMIT_TOOLS/node_modules (default build/tools),
// installed by scripts/get-helm. Prints one line per object; exit 1 when any
// object is invalid or of an unknown kind, 2 on unreadable input.
"use strict";
const fs = require("fs");
const path = require("path");
const { createRequire } = require("module");
const { pathToFileURL } = require("url");

const tools = path.resolve(process.env.PGADMIT_TOOLS || "build/tools");
const toolsRequire = createRequire(path.join(tools, "package.json"));
const YAML = toolsRequire("yaml");

// apiVersion group -> [package directory, subdirectory]
const PACKAGES = {
  "": ["kubernetes-models", "v1"],
  "cert-manager.io": ["@kubernetes-models/cert-manager", "cert-manager.io"],
  "monitoring.coreos.com": ["@kubernetes-models/prometheus-operator", "monitoring.coreos.com"],
};

function modelFile(apiVersion, kind) {
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  let pkg, dir;
  if (PACKAGES[group]) {
    [pkg, dir] = PACKAGES[group];
    if (group !== "") dir = path.join(dir, version);
  } else {
    pkg = "kubernetes-models";
    dir = path.join(group, version);
  }
  return path.join(tools, "node_modules", pkg, dir, kind + ".js");
}

async function validateObject(obj) {
  if (!obj || typeof obj !== "object" || !obj.apiVersion || !obj.kind)
    return "not a Kubernetes object (apiVersion/kind missing)";
  const file = modelFile(obj.apiVersion, obj.kind);
  if (!fs.existsSync(file)) return `no model for ${obj.apiVersion} ${obj.kind}`;
  const mod = await import(pathToFileURL(file).href);
  const Cls = mod[obj.kind] || (mod.default && mod.default[obj.kind]);
  if (typeof Cls !== "function") return `no model class for ${obj.apiVersion} ${obj.kind}`;
  try {
    new Cls(obj).validate();
  } catch (e) {
    return e.message.replace(/\s+/g, " ");
  }
  return null;
}

async function main() {
  const files = process.argv.slice(2);
  if (!files.length) files.push("-");
  let bad = 0, count = 0;
  for (const f of files) {
    let text;
    try {
      text = fs.readFileSync(f === "-" ? 0 : f, "utf8");
    } catch (e) {
      console.error(`validate: ${f}: ${e.message}`);
      process.exit(2);
    }
    const docs = YAML.parseAllDocuments(text);
    for (let i = 0; i < docs.length; i++) {
      const d = docs[i];
      if (d.errors.length) {
        console.error(`validate: ${f}: document ${i}: ${d.errors[0].message}`);
        process.exit(2);
      }
      const obj = d.toJS();
      if (obj === null || obj === undefined) continue;
      count++;
      const name = `${obj.kind}/${obj.metadata && obj.metadata.name}`;
      const why = await validateObject(obj);
      if (why) {
        bad++;
        console.log(`INVALID ${f}#${i} ${name}: ${why}`);
      } else {
        console.log(`valid   ${f}#${i} ${name}`);
      }
    }
  }
  console.log(`validate: ${count} objects, ${bad} invalid`);
  process.exit(bad || !count ? 1 : 0);
}

main().catch((e) => {
  console.error(`validate: ${e.stack || e}`);
  process.exit(2);
});
