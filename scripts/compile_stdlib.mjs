// Python's standard library for the live calculator page, compiled to bytecode ahead of time.
//
// Pyodide ships its standard library (python_stdlib.zip) as .py sources only, so every module
// imported while Python starts (about 190 of them) is compiled in the reader's browser, every
// time. This script runs that same Pyodide under Node.js at build time, compiles each module to
// a .pyc (unchecked-hash, so that zipimport uses it without comparing it with the source), and
// writes the zip again with each .pyc next to its .py (kept for tracebacks).
//
//     node scripts/compile_stdlib.mjs node_modules/pyodide OUT.zip
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, out] = process.argv.slice(2);
const indexURL = path.resolve(pyodideDir) + path.sep;
const { loadPyodide } = await import(pathToFileURL(indexURL + "pyodide.mjs").href);
const pyodide = await loadPyodide({ indexURL });
pyodide.FS.writeFile("/tmp/source.zip", fs.readFileSync(indexURL + "python_stdlib.zip"));
pyodide.runPython(`
import compileall, os, py_compile, zipfile

source = zipfile.ZipFile("/tmp/source.zip")
source.extractall("/tmp/stdlib")
compileall.compile_dir("/tmp/stdlib", quiet=2, legacy=True,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
with zipfile.ZipFile("/tmp/compiled.zip", "w", zipfile.ZIP_DEFLATED) as compiled:
    for info in source.infolist():
        compiled.writestr(info, source.read(info.filename))
        pyc = os.path.join("/tmp/stdlib", info.filename + "c")
        if info.filename.endswith(".py") and os.path.exists(pyc):
            compiled.write(pyc, info.filename + "c")
`);
fs.writeFileSync(out, pyodide.FS.readFile("/tmp/compiled.zip"));
console.log(`${out}: Pyodide ${pyodide.version}'s standard library with bytecode`);
