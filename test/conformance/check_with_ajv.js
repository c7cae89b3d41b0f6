#!/usr/bin/env node
// node check_with_ajv.js <conformance_dump> <corpus.json>
//
// Proves that our schemas are valid JSON Schema 2020-12 (ajv compiles every plain and strict
// schema) and that ajv and our decoder agree, instance by instance, on valid/invalid for the
// corpus. ajv is found through NODE_PATH (ctest sets it to INSTRUCTOR_NODE_MODULES).
//
// The decoder runs with coerce = false and allow_extra = true: the closest match to what the
// plain schema promises. Where we differ from JSON Schema on purpose, the corpus has no instance:
//  - integral floats (25.0, 1e2) for an integer field: JSON Schema calls them integers, our
//    strict decoding rejects them (the lax default accepts them);
//  - 64-bit integers past the C++ type's range (2^63 for int64, 2^64 for uint64): the schema
//    leaves out 64-bit bounds on purpose (JSON numbers lose precision there), the decoder
//    cannot store them.
// Signup and Team have a C++ validate() no schema can express; their instances all satisfy it.
"use strict";

const { execFileSync } = require("child_process");
const fs = require("fs");
const Ajv2020 = require("ajv/dist/2020");

const MIN_INSTANCES = 100;

function main() {
    const [dumpProgram, corpusPath] = process.argv.slice(2);
    if (!dumpProgram || !corpusPath) {
        console.error("usage: node check_with_ajv.js <conformance_dump> <corpus.json>");
        return 2;
    }
    const corpus = JSON.parse(fs.readFileSync(corpusPath, "utf8"));
    const dump = JSON.parse(
        execFileSync(dumpProgram, [corpusPath], { encoding: "utf8", maxBuffer: 64 << 20 }));

    let failed = 0;
    const validators = {};
    for (const kind of ["schemas", "strict_schemas"]) {
        for (const [model, schema] of Object.entries(dump[kind])) {
            // A fresh instance per schema: root schemas have no $id, and `$ref: "#"` must
            // resolve against the schema being compiled.
            const ajv = new Ajv2020({ strict: false, allErrors: true });
            try {
                const validate = ajv.compile(schema);
                if (kind === "schemas")
                    validators[model] = validate;
            } catch (e) {
                console.log(`COMPILE FAILED ${kind}.${model}: ${e.message}`);
                failed++;
            }
        }
    }

    if (dump.verdicts.length !== corpus.length) {
        console.log(`dump has ${dump.verdicts.length} verdicts for ${corpus.length} instances`);
        failed++;
    }

    let passed = 0, checked = 0;
    dump.verdicts.forEach((verdict, i) => {
        const item = corpus[i];
        const validate = validators[item.model];
        if (!validate || verdict.model !== item.model || verdict.index !== i) {
            console.log(`#${i} ${item.model}: no schema or verdict out of step`);
            failed++;
            return;
        }
        const ajvValid = validate(item.instance);
        checked++;
        if (ajvValid === verdict.valid) {
            passed++;
            return;
        }
        failed++;
        const ajvErrors = (validate.errors || [])
            .map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");
        console.log(`MISMATCH #${i} ${item.model} (${item.note}): ` +
                    `ajv ${ajvValid ? "valid" : "invalid"}, decoder ${verdict.valid ? "valid" : "invalid"}` +
                    `\n    instance: ${JSON.stringify(item.instance)}` +
                    `\n    ajv errors: ${ajvErrors || "none"}` +
                    `\n    decoder issues: ${verdict.issues.replace(/\n/g, " | ") || "none"}`);
    });

    if (checked < MIN_INSTANCES) {
        console.log(`only ${checked} instances checked, need at least ${MIN_INSTANCES}`);
        failed++;
    }
    console.log(`${passed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
}

process.exitCode = main();
