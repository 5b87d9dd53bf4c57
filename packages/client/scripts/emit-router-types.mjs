#!/usr/bin/env node
// Writes src/generated/app-router.ts: the type of the server's tRPC router,
// with no import of a workspace package, so that the published declaration
// files of the client need only @trpc/server.
//
// tsc has already expanded the router into one large type literal in
// packages/api/dist/router.d.ts. That literal still names two server-side
// types: the procedure context (ApiContext, which drags in the store, the
// logger and the engine) and the validation issue of core. The context is
// replaced with `object`, which a tRPC client never reads, and every other
// named type is copied in when its declaration is self-contained.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const outputPath = join(packageDir, 'src/generated/app-router.ts');

/** Server-side types that a client never sees, each with the type that replaces it. */
const REPLACED_TYPES = new Map([['ApiContext', ts.SyntaxKind.ObjectKeyword]]);
/** The only package that the generated file may import from. */
const TRPC_SERVER = '@trpc/server';

function fail(message) {
  process.stderr.write(`emit-router-types: ${message}\n`);
  process.exit(1);
}

function routerDeclarationPath() {
  // The default export condition points at dist/index.js, and router.d.ts is beside it.
  let entry;
  try {
    entry = fileURLToPath(import.meta.resolve('@api-scheduler/api'));
  } catch (error) {
    fail(`cannot resolve @api-scheduler/api (${error.message}): run pnpm install first`);
  }
  return join(dirname(entry), 'router.d.ts');
}

const routerPath = routerDeclarationPath();
if (!existsSync(routerPath)) fail(`${routerPath} is missing: build @api-scheduler/api first (turbo builds it before this package)`);

const program = ts.createProgram({
  rootNames: [routerPath],
  options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true, skipLibCheck: true, types: [] },
});
const checker = program.getTypeChecker();
const sourceFile = program.getSourceFile(routerPath);

const routerStatement = sourceFile.statements.find(
  (statement) => ts.isVariableStatement(statement) && statement.declarationList.declarations.some((declaration) => declaration.name.getText(sourceFile) === 'appRouter'),
);
const routerType = routerStatement?.declarationList.declarations[0]?.type;
if (routerType === undefined) fail(`${routerPath} has no declaration of appRouter with a type`);

const trpcNames = new Set();
/** Declarations copied into the output, by name. */
const copied = new Map();

/** Copies a named interface or type alias of a workspace package into the output, and returns its name. */
function copyDeclaration(node) {
  const name = node.qualifier.getText(sourceFile);
  if (copied.has(name)) return name;

  const symbol = checker.getSymbolAtLocation(node.qualifier);
  const target = symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const declaration = target?.declarations?.[0];
  if (declaration === undefined || !(ts.isInterfaceDeclaration(declaration) || ts.isTypeAliasDeclaration(declaration))) {
    fail(`the router type uses ${name} from ${node.argument.getText(sourceFile)}, which is not an interface or type alias that can be copied: give the procedure an explicit .output() schema`);
  }
  if (declaration.typeParameters !== undefined) fail(`the router type uses the generic type ${name}, which this script does not copy`);

  const text = declaration.getText();
  // A copied declaration may use only itself, globals and primitives. The
  // package's tsc build reports any other name as unresolved.
  copied.set(name, text.startsWith('export ') ? text : `export ${text}`);
  return name;
}

function replaceImportTypes(context) {
  const visit = (node) => {
    if (ts.isImportTypeNode(node) && node.qualifier !== undefined && ts.isIdentifier(node.qualifier)) {
      const moduleName = node.argument.literal.text;
      const name = node.qualifier.text;
      const typeArguments = node.typeArguments?.map((argument) => ts.visitNode(argument, visit));

      if (REPLACED_TYPES.has(name)) return context.factory.createKeywordTypeNode(REPLACED_TYPES.get(name));
      if (moduleName === TRPC_SERVER) {
        trpcNames.add(name);
        return context.factory.createTypeReferenceNode(name, typeArguments);
      }
      return context.factory.createTypeReferenceNode(copyDeclaration(node), typeArguments);
    }
    if (ts.isImportTypeNode(node)) fail(`cannot rewrite the type import ${node.getText(sourceFile)}`);
    return ts.visitEachChild(node, visit, context);
  };
  return (root) => ts.visitNode(root, visit);
}

const transformed = ts.transform(routerType, [replaceImportTypes]);
const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
const typeText = printer.printNode(ts.EmitHint.Unspecified, transformed.transformed[0], sourceFile);
transformed.dispose();

const output = [
  '// Generated by scripts/emit-router-types.mjs from the appRouter declaration of',
  '// @api-scheduler/api. Do not edit: `pnpm build` writes it again.',
  `import type { ${[...trpcNames].sort().join(', ')} } from '${TRPC_SERVER}';`,
  '',
  ...[...copied.values()].flatMap((text) => [text, '']),
  '/** The tRPC router of API Scheduler, as a client sees it: every procedure with its input and output. */',
  `export type AppRouter = ${typeText};`,
  '',
].join('\n');

mkdirSync(dirname(outputPath), { recursive: true });
// Unchanged output is not written again, so tsc and vite watchers stay quiet.
let previous = null;
try {
  previous = readFileSync(outputPath, 'utf8');
} catch {
  // first run
}
if (previous !== output) writeFileSync(outputPath, output);
