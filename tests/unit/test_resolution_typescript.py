"""TypeScript/JavaScript resolution, one rule per case: source files in,
`//>` markers say what each use must resolve to (see tests/support.py;
the same marker syntax as the Python cases, in the language's comments)."""

from __future__ import annotations

import textwrap

import pytest

from tests.support import build, check

T = "typescript:"

CASES = {
    "ES named imports, aliases and local scopes": {
        "src/math.ts": """
            export function add(a: number, b: number) { return a + b; }
            export const PI = 3.14;
            """,
        "src/main.ts": """
            import { add, PI as pi } from "./math";
            //>      add -> typescript:src.math.add import
            //>           PI -> typescript:src.math.PI import
            function twice(x: number) { return add(x, x) * pi; }
            //>                                 add -> typescript:src.math.add import
            //>                                               pi -> typescript:src.math.PI import
            twice(2);
            //> twice -> typescript:src.main.twice scope
            """,
    },
    "default exports and imports: function, class, anonymous, identifier": {
        "src/a.ts": "export default function run() {}\n",
        "src/b.ts": "export default class Store { get() {} }\n",
        "src/c.ts": "export default () => 1;\n",
        "src/d.ts": "function helper() {}\nexport default helper;\n",
        "src/main.ts": """
            import run from "./a";
            //>    run -> typescript:src.a.run import
            import Store from "./b";
            //>    Store -> typescript:src.b.Store import
            import anon from "./c";
            //>    anon -> typescript:src.c.default import
            import h from "./d";
            //>    h -> typescript:src.d.helper import
            run(); new Store().get(); anon(); h();
            //> run -> typescript:src.a.run import
            //>                 get -> typescript:src.b.Store.get constructor
            """,
    },
    "namespace imports": {
        "src/util.ts": "export function slug(s: string) { return s; }\n",
        "src/main.ts": """
            import * as util from "./util";
            //>         util -> typescript:src.util import
            util.slug("x");
            //>  slug -> typescript:src.util.slug module
            """,
    },
    "re-exports: named, export *, export * as ns": {
        "src/impl/core.ts": "export function core() {}\nexport function hidden() {}\n",
        "src/impl/extra.ts": "export class Extra {}\n",
        "src/index.ts": """
            export { core as renamed } from "./impl/core";
            //>      core -> typescript:src.impl.core.core import
            export * from "./impl/extra";
            export * as coreNs from "./impl/core";
            """,
        "src/app.ts": """
            import { renamed, Extra, coreNs } from "./index";
            //>      renamed -> typescript:src.impl.core.core import
            //>               Extra -> typescript:src.impl.extra.Extra import
            //>                      coreNs -> typescript:src.impl.core import
            coreNs.hidden();
            //>    hidden -> typescript:src.impl.core.hidden module
            """,
    },
    "index files and .js specifiers of .ts sources": {
        "src/lib/index.ts": "export function fromIndex() {}\n",
        "src/lib/esm.ts": "export function esm() {}\n",
        "src/main.ts": """
            import { fromIndex } from "./lib";
            //>      fromIndex -> typescript:src.lib.index.fromIndex import
            import { esm } from "./lib/esm.js";
            //>      esm -> typescript:src.lib.esm.esm import
            """,
    },
    "CommonJS: require, module.exports object, exports.x, destructuring": {
        "lib/calc.js": """
            function sum(a, b) { return a + b; }
            exports.double = function (x) { return sum(x, x); };
            //>                                    sum -> typescript:lib.calc.sum scope
            module.exports.sum = sum;
            """,
        "lib/shapes.js": """
            class Circle { area() { return 1; } }
            module.exports = { Circle, make() { return new Circle(); } };
            """,
        "lib/single.js": """
            module.exports = class Queue { push() {} };
            """,
        "app.js": """
            const calc = require("./lib/calc");
            const { Circle, make } = require("./lib/shapes");
            //>     Circle -> typescript:lib.shapes.Circle import
            //>             make -> typescript:lib.shapes.make import
            const Queue = require("./lib/single");
            calc.double(2);
            //>  double -> typescript:lib.calc.double module
            calc.sum(1, 2);
            //>  sum -> typescript:lib.calc.sum module
            new Circle().area();
            //>          area -> typescript:lib.shapes.Circle.area constructor
            new Queue().push();
            //>         push -> typescript:lib.single.Queue.push constructor
            make();
            //> make -> typescript:lib.shapes.make import
            """,
    },
    "tsconfig baseUrl and paths, through extends": {
        "tsconfig.base.json": """
            {
              // comments and trailing commas, as tsconfig allows
              "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["src/*"], "~config": ["config/index.ts"], }, },
            }
            """,
        "tsconfig.json": '{ "extends": "./tsconfig.base.json" }\n',
        "src/utils/date.ts": "export function today() {}\n",
        "config/index.ts": "export const settings = {};\n",
        "src/app.ts": """
            import { today } from "@/utils/date";
            //>      today -> typescript:src.utils.date.today import
            import { settings } from "~config";
            //>      settings -> typescript:config.index.settings import
            import { other } from "src/utils/date";
            """,
    },
    "tsconfig project references: an import of a referenced project's outDir lands on its sources": {
        "packages/shared/tsconfig.json": '{ "compilerOptions": { "outDir": "dist", "rootDir": "src", "composite": true } }\n',
        "packages/shared/src/ids.ts": "export function newId() { return 1; }\n",
        "packages/app/tsconfig.json": '{ "references": [{ "path": "../shared" }] }\n',
        "packages/app/src/main.ts": """
            import { newId } from "../../shared/dist/ids";
            //>      newId -> typescript:packages.shared.src.ids.newId import
            """,
    },
    "workspace packages: package.json exports, main, and built output mapped to sources": {
        "package.json": '{ "name": "root", "private": true, "workspaces": ["packages/*"] }\n',
        "packages/core/package.json": """
            { "name": "@acme/core", "exports": { ".": { "types": "./dist/index.d.ts", "import": "./dist/index.js" },
                                                  "./strings": "./src/strings.ts" } }
            """,
        "packages/core/src/index.ts": "export function boot() {}\n",
        "packages/core/src/strings.ts": "export function upper(s: string) { return s; }\n",
        "packages/legacy/package.json": '{ "name": "legacy", "main": "lib/main.js" }\n',
        "packages/legacy/lib/main.js": "exports.old = function () {};\n",
        "packages/web/src/page.ts": """
            import { boot } from "@acme/core";
            //>      boot -> typescript:packages.core.src.index.boot import
            import { upper } from "@acme/core/strings";
            //>      upper -> typescript:packages.core.src.strings.upper import
            import { old } from "legacy";
            //>      old -> typescript:packages.legacy.lib.main.old import
            import { useState } from "react";
            //>      useState -> ?
            """,
    },
    "this. and super. through the class hierarchy": {
        "src/base.ts": """
            export class Base {
              size(): number { return 0; }
              log() {}
            }
            """,
        "src/cart.ts": """
            import { Base } from "./base";
            export class Cart extends Base {
            //>                       Base -> typescript:src.base.Base import
              total = 0;
              size(): number { this.log(); return super.size() + this.total; }
            //>                     log -> typescript:src.base.Base.log mro
            //>                                         size#2 -> typescript:src.base.Base.size super
            //>                                                       total -> typescript:src.cart.Cart.total self
              clear = () => { this.total = 0; this.size(); };
            //>                    total -> typescript:src.cart.Cart.total self
            //>                                     size -> typescript:src.cart.Cart.size self
            }
            """,
    },
    "types from annotations, new, return types; interfaces; parameter properties": {
        "src/db.ts": """
            export interface Repo { find(id: string): Row; }
            export interface Row { id: string; }
            export class Db implements Repo {
              find(id: string): Row { return { id }; }
              open(): Db { return this; }
            }
            export function connect(): Db { return new Db(); }
            """,
        "src/service.ts": """
            import { Db, Repo, connect } from "./db";
            export class Service {
              constructor(private repo: Repo) {}
              get(id: string) { return this.repo.find(id).id; }
            //>                               repo -> typescript:src.service.Service.repo self
            //>                                    find -> typescript:src.db.Repo.find annotation
            //>                                             id#3 -> typescript:src.db.Row.id return-type
            }
            const db = new Db();
            db.open().find("x");
            //>       find -> typescript:src.db.Db.find return-type
            connect().open();
            //>       open -> typescript:src.db.Db.open return-type
            function use(repo: Repo) { repo.find("y"); }
            //>                             find -> typescript:src.db.Repo.find annotation
            """,
    },
    "JSX components are references": {
        "src/Button.tsx": """
            export function Button(props: { label: string }) { return <button>{props.label}</button>; }
            export const Icon = () => <svg />;
            """,
        "src/App.jsx": """
            import { Button, Icon } from "./Button";
            export default function App() {
              return <div><Button label="ok" /><Icon></Icon></div>;
            //>               Button -> typescript:src.Button.Button import
            //>                                  Icon -> typescript:src.Button.Icon import
            //>                                        Icon#2 -> typescript:src.Button.Icon import
            }
            """,
    },
    "test blocks own the calls inside them": {
        "src/cart.ts": "export function addItem() {}\n",
        "src/cart.test.ts": """
            import { describe, it, expect } from "vitest";
            import { addItem } from "./cart";
            describe("Cart", () => {
              it("adds an item", () => { addItem(); });
            //>                          addItem -> typescript:src.cart.addItem import
            });
            """,
    },
    "object literal arguments: keys name the callee's declared parameter type": {
        "src/opts.ts": """
            export interface Tls { cert: string }
            export interface Options { req: string; port: number; tls?: Tls }
            export type OnError = (opts: { error: Error; input: unknown }) => void;
            export function serve(name: string, opts: Options) {}
            export interface Handler { onError?: OnError }
            """,
        "src/main.ts": """
            import { serve, Handler } from "./opts";
            const req = "r";
            serve("x", { req, port: 1, tls: { cert: "" } });
            //>          req -> typescript:src.opts.Options.req annotation
            //>               port -> typescript:src.opts.Options.port annotation
            //>                                 cert -> typescript:src.opts.Tls.cert annotation
            function fail(h: Handler, input: unknown) {
              h.onError?.({ error: new Error(), input });
            //>                                 input -> typescript:src.opts.OnError.input annotation
            }
            """,
    },
    "callback parameters typed by context: a typed variable, a callee's parameter": {
        "src/mw.ts": """
            export type Middleware = (opts: { ctx: object; next: () => void }) => void;
            export type Named = Middleware;
            export function use(name: string, fn: Middleware) {}
            export class Subscriber { unsubscribe() {} }
            export function operate(init: (source: object, subscriber: Subscriber) => void) {}
            """,
        "src/main.ts": """
            import { use, Named, operate } from "./mw";
            const log: Named = ({ next }) => { next(); };
            //>                   next -> typescript:src.mw.Middleware.next annotation
            use("a", (opts) => opts.next());
            //>                     next -> typescript:src.mw.Middleware.next annotation
            operate((source, subscriber) => subscriber.unsubscribe());
            //>                                        unsubscribe -> typescript:src.mw.Subscriber.unsubscribe annotation
            """,
    },
    "union and intersection types: a member of each named part, an alias's inline members": {
        "src/msg.ts": """
            export interface Started { type: "started" }
            export interface Data { type: "data"; id: number }
            export type Message = Started | Data | null;
            export interface Base { onError?: () => void }
            export type Options = Base & { wss: string };
            """,
        "src/main.ts": """
            import { Message, Options } from "./msg";
            function f(m: Message, o: Options) {
              m.type; m.id;
            //> type -> typescript:src.msg.Started.type annotation
            //> type -> typescript:src.msg.Data.type annotation
            //>        id -> typescript:src.msg.Data.id annotation
              o.onError; o.wss;
            //> onError -> typescript:src.msg.Base.onError annotation
            //>            wss -> typescript:src.msg.Options.wss annotation
            }
            """,
    },
    "JSDoc links: {@link Name} and {@link Name.member} use what they name": {
        "src/subject.ts": "export class Subject { next() {} }\n",
        "src/main.ts": """
            import { Subject } from "./subject";
            /** A variant of {@link Subject}; see {@link Subject.next}. */
            //>                    Subject -> typescript:src.subject.Subject import
            //>                                             next -> typescript:src.subject.Subject.next module
            export function replay() {}
            export class Sub {
              /** Assumes {@link parent} was checked. */
            //>                   parent -> typescript:src.main.Sub.parent module
              parent = null;
            }
            """,
    },
    "namespaces: X.member names the module's member, from the file and from importers": {
        "src/rpc.ts": """
            export namespace JSONRPC2 {
              export interface BaseEnvelope { id?: string }
              export interface Request extends JSONRPC2.BaseEnvelope { method: string }
            //>                                          BaseEnvelope -> typescript:src.rpc.BaseEnvelope module
            }
            """,
        "src/main.ts": """
            import { JSONRPC2 } from "./rpc";
            let r: JSONRPC2.Request;
            //>              Request -> typescript:src.rpc.Request module
            """,
    },
    "function-type aliases with named parameter types; Pick/Omit/Partial keep their argument's members": {
        "src/log.ts": """
            export interface LogOptions { direction: string; elapsed: number }
            export type LogFn = (opts: LogOptions) => void;
            export interface Config { logger?: LogFn; name: string }
            """,
        "src/main.ts": """
            import { Config } from "./log";
            function run(config: Partial<Config>, named: Pick<Config, "name">) {
              const { logger } = config;
              logger({ direction: "up" });
            //>        direction -> typescript:src.log.LogOptions.direction annotation
              named.name;
            //>      name -> typescript:src.log.Config.name annotation
            }
            """,
    },
    "destructuring with defaults, and assignment destructuring": {
        "src/cfg.ts": "export interface RepeatConfig { count?: number; delay?: number }\n",
        "src/main.ts": """
            import { RepeatConfig } from "./cfg";
            function repeat(config: number | RepeatConfig) {
              const { count = 1 } = config as RepeatConfig;
            //>       count -> typescript:src.cfg.RepeatConfig.count annotation
              let n, delay;
              ({ count: n, delay } = config);
            //>  count -> typescript:src.cfg.RepeatConfig.count annotation
            //>            delay -> typescript:src.cfg.RepeatConfig.delay annotation
            }
            """,
    },
    "arrays: element callbacks and pushed object literals use the element type": {
        "src/msg.ts": "export interface Message { id: number; body: string }\n",
        "src/main.ts": """
            import { Message } from "./msg";
            function send(outgoing: Message[], pending: Array<Message>) {
              outgoing.some((m) => m.id === 1);
            //>                      id -> typescript:src.msg.Message.id annotation
              pending.push({ id: 2, body: "" });
            //>              id -> typescript:src.msg.Message.id annotation
              const first = outgoing[0]!;
              first.body;
            //>       body -> typescript:src.msg.Message.body annotation
            }
            """,
    },
    "type parameters stand for their constraint; indexed access types use the member": {
        "src/router.ts": "export interface Router { createCaller(): void; _def: object }\n",
        "src/main.ts": """
            import { Router } from "./router";
            export function caller<TRouter extends Router>(router: TRouter): TRouter['createCaller'] {
            //>                                                                        createCaller -> typescript:src.router.Router.createCaller annotation
              return router._def;
            //>             _def -> typescript:src.router.Router._def annotation
            }
            """,
    },
    "parameter properties: the parameter's uses in the constructor are the field's": {
        "src/action.ts": """
            export class Action {
              constructor(protected work: () => void) { run(work); }
            //> work#2 -> typescript:src.action.Action.work scope
            }
            function run(f: () => void) {}
            """,
    },
    "interfaces with call signatures: a call's object argument is the signature's parameter type": {
        "src/ajax.ts": """
            export interface AjaxConfig { url: string; method?: string }
            export interface AjaxCreationMethod { (config: AjaxConfig): void; (url: string): void }
            export const ajax: AjaxCreationMethod = (() => null) as any;
            """,
        "src/main.ts": """
            import { ajax } from "./ajax";
            ajax({ method: "GET", url: "/" });
            //>    method -> typescript:src.ajax.AjaxConfig.method annotation
            """,
    },
    "returned callbacks and objects: typed by the declared return type (Promise<T> as T)": {
        "src/upload.ts": """
            export interface Part { name: string; contentType: string }
            export type UploadHandler = (part: Part) => void;
            export interface BodyResult { ok: boolean }
            export function makeHandler(): UploadHandler {
              return async ({ name, contentType }) => {};
            //>                     contentType -> typescript:src.upload.Part.contentType annotation
            }
            export function handle(opts: Omit<Part, "name">): void;
            export function handle(opts: any): void {}
            handle({ contentType: "x" });
            //>      contentType -> typescript:src.upload.Part.contentType annotation
            export async function body(): Promise<BodyResult> {
              return { ok: true };
            //>        ok -> typescript:src.upload.BodyResult.ok annotation
            }
            """,
    },
    "function types' results: nested returned callbacks, a called function-typed value, an inline result": {
        "src/link.ts": """
            export interface Observable { subscribe(): void }
            export interface Op { path: string }
            export type OperationLink = (opts: { op: Op; next: (op: Op) => Observable }) => Observable;
            export type Link = (runtime: object) => OperationLink;
            export type Requester = (url: string) => { promise: Promise<void>; cancel(): void };
            """,
        "src/main.ts": """
            import type { Link, Requester } from "./link";
            export function dedupe(): Link {
              return () => {
                return ({ op, next }) => {
            //>               next -> typescript:src.link.OperationLink.next annotation
                  next(op).subscribe();
            //>            subscribe -> typescript:src.link.Observable.subscribe return-type
                  return next(op);
                };
              };
            }
            export const requester: Requester = (url) => ({ promise: Promise.resolve(), cancel() {} });
            //>                                               promise -> typescript:src.link.Requester.promise return-type
            """,
    },
    "a parameter's inline object type: its properties type what is read through them, and are no edges": {
        "src/http.ts": """
            export interface HTTPRequest { query: string; method: string }
            export interface Op { context: object }
            """,
        "src/main.ts": """
            import type { HTTPRequest, Op } from "./http";
            function body(opts: { req: HTTPRequest; op: Op; make(): HTTPRequest }) {
              const { req } = opts;
              req.query;
            //>   query -> typescript:src.http.HTTPRequest.query annotation
              opts.make().method;
            //>           method -> typescript:src.http.HTTPRequest.method return-type
              return opts.req.method;
            //>           req -> ?
            //>               method -> typescript:src.http.HTTPRequest.method annotation
            }
            body({ req: null as any, op: { context: {} }, make: null as any });
            //>                             context -> typescript:src.http.Op.context annotation
            """,
    },
    "generic type aliases: `F<A, B>` binds the alias's type parameters to its arguments": {
        "src/types.ts": """
            export interface Observable<T> { subscribe(): void }
            export interface Options { path: string }
            export type UnaryFunction<TSource, TReturn> = (source: TSource) => TReturn;
            export type OperatorFunction<A, B> = UnaryFunction<Observable<A>, Observable<B>>;
            export type PartialBy<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;
            """,
        "src/main.ts": """
            import type { OperatorFunction, PartialBy, Options } from "./types";
            export function map<A, B>(): OperatorFunction<A, B> {
              return (source) => {
                source.subscribe();
            //>          subscribe -> typescript:src.types.Observable.subscribe annotation
                return { subscribe() {} };
            //>              subscribe -> typescript:src.types.Observable.subscribe return-type
              };
            }
            export function handle(opts: PartialBy<Options, "path">) {
              return opts.path;
            //>           path -> typescript:src.types.Options.path annotation
            }
            """,
    },
    "generic interfaces and classes: `I<A>` and `extends B<A>` bind the type parameters of their members": {
        "src/rpc.ts": """
            export interface Item { name: string }
            export interface Ctx { user: string }
            export interface Envelope<TResult> { id: number; result: TResult }
            export interface Data<TData> { result: { type: "data"; data: TData } }
            export interface Base<TParams> { params: TParams }
            export interface Req extends Base<Item> { extra: string }
            export class Config<TCtx> { ctx!: TCtx }
            export interface RootConfig<TTypes> { $types: TTypes }
            export type AnyRootConfig = RootConfig<{ ctx: any; meta: any }>;
            export interface Params { _config: AnyRootConfig }
            export interface ProcParams<TConfig extends AnyRootConfig = AnyRootConfig> { _config: TConfig }
            export interface RpcRequest<TMethod, TParams> { method: TMethod; params: TParams }
            export interface TRPCRequest extends RpcRequest<string, { path: string; input: unknown }> {}
            export type AnyProcParams<TConfig extends AnyRootConfig = AnyRootConfig> = ProcParams<TConfig>;
            export interface ResultResponse<TResult> { result: TResult }
            export interface ResultMessage<TData> extends ResultResponse<{ type: "started" } | (Data<TData> & { type: "data" })> {}
            """,
        "src/main.ts": """
            import type { Envelope, Data, Req, Config, Ctx, Item, AnyRootConfig, Params, ProcParams, TRPCRequest, AnyProcParams, ResultMessage } from "./rpc";
            export function f(e: Envelope<Item>, d: Data<Ctx>, r: Req, c: Config<Ctx>) {
              e.result.name;
            //>        name -> typescript:src.rpc.Item.name annotation
              d.result.data.user;
            //>             user -> typescript:src.rpc.Ctx.user annotation
              r.params.name;
            //>        name -> typescript:src.rpc.Item.name annotation
              c.ctx.user;
            //>     user -> typescript:src.rpc.Ctx.user annotation
            }
            export function g(root: AnyRootConfig) { return root.$types.ctx; }
            //>                                                          ctx -> typescript:src.rpc.AnyRootConfig.ctx annotation
            export type CtxOf<TConfig extends AnyRootConfig> = TConfig["$types"]["ctx"];
            //>                                                                   ctx -> typescript:src.rpc.AnyRootConfig.ctx annotation
            export type CtxIn<P extends Params> = P["_config"]["$types"]["ctx"];
            //>                                                           ctx -> typescript:src.rpc.AnyRootConfig.ctx annotation
            export function h(p: ProcParams) { return p._config.$types.ctx; }
            //>                                                         ctx -> typescript:src.rpc.AnyRootConfig.ctx annotation
            export type CtxOfAny<P extends AnyProcParams> = P["_config"]["$types"]["ctx"];
            //>                                                                     ctx -> typescript:src.rpc.AnyRootConfig.ctx annotation
            export function i(p: ProcParams<any>) { return p._config.$types.ctx; }
            //>                                                             ctx -> typescript:src.rpc.AnyRootConfig.ctx annotation
            export function either(r: ResultMessage<Item> | Envelope<Ctx>) { return r.result.type + r.result.user; }
            //>                                                                                type -> typescript:src.rpc.ResultMessage.type annotation
            //>                                                                                                user -> typescript:src.rpc.Ctx.user annotation
            export function received(message: ResultMessage<Item>) { return message.result.type; }
            //>                                                                                 type -> typescript:src.rpc.ResultMessage.type annotation
            export function send(req: TRPCRequest, path: string) {
              req.params.path;
            //>            path -> typescript:src.rpc.TRPCRequest.path annotation
              const message: TRPCRequest = { method: "query", params: { path, input: 1 } };
            //>                                                           path -> typescript:src.rpc.TRPCRequest.path annotation
            }
            """,
    },
    "a member of an untyped receiver (`this` outside a class, `[]`) is never the scope's bare name": {
        "lib/view.js": """
            function resolve(dir) { return dir; }
            function View() {}
            View.prototype.lookup = function lookup(name) { return this.resolve(name) + [].concat(resolve(name)); };
            //>                                                         resolve -> ?
            //>                                                                                   resolve#2 -> typescript:lib.view.resolve scope
            """,
    },
    "new C(cb), this parameters, xs.shift(): the constructor parameter types cb, `this` is what its parameter declares, shift returns an element": {
        "src/observable.ts": """
            export class Subscription { closed = false; }
            export class Subscriber<T> extends Subscription { next(value: T) {} }
            export class Observable<T> {
              constructor(subscribe?: (this: Observable<T>, subscriber: Subscriber<T>) => void) {}
            }
            export function range(end: number) {
              return new Observable<number>((subscriber) => {
                while (!subscriber.closed) { subscriber.next(end); }
            //>                     closed -> typescript:src.observable.Subscription.closed mro
            //>                                        next -> typescript:src.observable.Subscriber.next annotation
              });
            }
            export function drain(subscribers: Subscriber<number>[]) {
              subscribers.shift()!.next(1);
            //>                      next -> typescript:src.observable.Subscriber.next annotation
              return function (this: Subscriber<number>, n: number) { this.next(n); };
            //>                                                                next -> typescript:src.observable.Subscriber.next annotation
            }
            """,
    },
    "for-of loops: the loop variable is an element of the iterated array (untyped when rebound)": {
        "src/batch.ts": """
            export interface Item { reject(): void; key: string }
            export interface Other { key: string }
            export function run(items: Item[], others: Other[]) {
              for (const item of items) {
                item.reject();
            //>      reject -> typescript:src.batch.Item.reject annotation
              }
              for (const x of items) {}
              for (const x of others) { x.key; }
            //>                           key -> ?
            }
            """,
    },
    "inferred results: an unannotated function returns its first return's value": {
        "src/chain.ts": """
            export interface Observable { subscribe(): void }
            export function createChain(): Observable { return null as any; }
            """,
        "src/main.ts": """
            import { createChain } from "./chain";
            export class Client {
              private request() {
                const chain$ = createChain();
                return chain$;
              }
              run() {
                function execute() { return createChain(); }
                execute().subscribe();
            //>           subscribe -> typescript:src.chain.Observable.subscribe return-type
                return this.request().subscribe();
            //>                       subscribe -> typescript:src.chain.Observable.subscribe return-type
              }
            }
            function* gen() { return createChain(); }
            gen().subscribe;
            //>   subscribe -> ?
            """,
    },
    "a returned new Promise: its executor's resolve takes the function's result type": {
        "src/body.ts": """
            export interface BodyResult { ok: boolean; data: unknown }
            export async function getBody(): Promise<BodyResult> {
              return new Promise((resolve) => {
                setTimeout(() => resolve({ ok: true, data: 1 }));
            //>                                 data -> typescript:src.body.BodyResult.data annotation
              });
            }
            """,
    },
    "results of anonymous functions: their own return type, an IIFE under a typed variable": {
        "src/types.ts": """
            export interface Op { type: string }
            export type Link = (opts: { op: Op }) => void;
            export interface Transformer { serialize(x: unknown): unknown }
            """,
        "src/main.ts": """
            import type { Link, Transformer } from "./types";
            export const factory = () => {
              return (name: string): Link => { return ({ op }) => { op.type; }; };
            //>                                                         type -> typescript:src.types.Op.type annotation
            };
            const combined: Transformer = (() => {
              return { serialize: (x) => x };
            //>        serialize -> typescript:src.types.Transformer.serialize return-type
            })();
            """,
    },
    "call signatures of a field's inline type; a function-type alias parameter's inline intersection part": {
        "src/mw.ts": """
            export interface OK { ok: true }
            export interface Failed { ok: false }
            export type Result = OK | Failed;
            export type Middleware = {
              (opts: { next: { (): Promise<Result>; (x: number): Promise<Result> } }): void;
            };
            export interface Base { url: string }
            export type Requester = (opts: Base & { type: string }) => void;
            """,
        "src/main.ts": """
            import type { Middleware, Requester } from "./mw";
            export const mw: Middleware = async ({ next }) => {
              const result = await next();
              result.ok;
            //>      ok -> typescript:src.mw.OK.ok annotation
            //>      ok -> typescript:src.mw.Failed.ok annotation
            };
            export function run(requester: Requester) {
              requester({ url: "/", type: "query" });
            //>                     type -> typescript:src.mw.Requester.type annotation
            }
            """,
    },
    "discriminated unions: an object literal's literal values pick the union parts its keys name": {
        "src/result.ts": """
            export interface OK { ok: true; data: unknown }
            export interface Failed { ok: false; error: Error }
            export type Result = OK | Failed;
            export function fail(): Result {
              return { ok: false, error: new Error() };
            //>        ok -> typescript:src.result.Failed.ok annotation
            }
            export interface Op { path: string }
            export type Log = Op & ({ dir: "down"; ms: number } | { dir: "up" });
            export function log(opts: Log) {}
            log({ path: "/", dir: "down", ms: 1 });
            //>              dir -> typescript:src.result.Log.dir annotation
            """,
    },
    "new C({...}): the keys name members of the constructor's parameter type": {
        "src/proc.ts": """
            export interface ProcedureOptions { resolver: () => void; meta?: object }
            export class Procedure {
              constructor(opts: ProcedureOptions) {}
            }
            export class Sub extends Procedure {}
            new Procedure({ resolver: () => {} });
            //>             resolver -> typescript:src.proc.ProcedureOptions.resolver annotation
            new Sub({ meta: {}, resolver: () => {} });
            //>       meta -> typescript:src.proc.ProcedureOptions.meta annotation
            """,
    },
    "assignments of object literals: keys name members of the target's declared type": {
        "src/client.ts": """
            export interface Runtime { transformer: { serialize(x: unknown): unknown } }
            export class Client {
              runtime: Runtime;
              constructor() {
                this.runtime = { transformer: { serialize: (x) => x } };
            //>                    transformer -> typescript:src.client.Runtime.transformer annotation
            //>                                    serialize -> typescript:src.client.Runtime.transformer.serialize module
              }
            }
            """,
    },
    "import aliases and parameter defaults are uses of what they name": {
        "src/sched.ts": "export const async = {};\n",
        "src/timer.ts": """
            import { async as asyncScheduler } from "./sched";
            //>               asyncScheduler -> typescript:src.sched.async import
            export function timer(scheduler: object = asyncScheduler) {}
            //>                                        asyncScheduler -> typescript:src.sched.async import
            export { timer as experimental_timer };
            //>      timer -> typescript:src.timer.timer scope
            //>               experimental_timer -> typescript:src.timer.timer scope
            """,
    },
}


@pytest.mark.parametrize("name", list(CASES))
def test_resolution(tmp_path, name):
    files = CASES[name]
    indexer, graph = build(tmp_path, files)
    try:
        check(graph, files)
    finally:
        indexer.close()


DEFINITIONS = {
    "src/defs.ts": """
        /** Adds. */
        export function add(a: number): number { return a; }
        export class Shop<T> extends Object {
          name: string = "";
          static count = 0;
          constructor(private readonly db: Db) { super(); }
          get label(): string { return this.name; }
          buy(item: T): void {}
          onClick = () => {};
        }
        export interface Shape { area(): number; sides: number }
        export type Id = string | number;
        export enum Color { Red, Green = "g" }
        export const twice = (x: number) => x * 2;
        export const api = { get() {}, post: () => {} };
        export default class {}
        """,
}

EXPECTED_SYMBOLS = {
    ("add", "function"), ("Shop", "class"), ("Shop.name", "field"), ("Shop.count", "field"), ("Shop.db", "field"),
    ("Shop.constructor", "method"), ("Shop.label", "property"), ("Shop.buy", "method"), ("Shop.onClick", "method"),
    ("Shape", "interface"), ("Shape.area", "method"), ("Shape.sides", "field"), ("Id", "type"), ("Color", "enum"),
    ("Color.Red", "constant"), ("Color.Green", "constant"), ("twice", "function"), ("api", "variable"),
    ("api.get", "method"), ("api.post", "method"), ("default", "class"),
}


def test_definitions(tmp_path):
    indexer, graph = build(tmp_path, DEFINITIONS)
    try:
        got = {(s.qualname.removeprefix(f"{T}src.defs."), s.kind) for s in graph.symbols_in_file("src/defs.ts")
               if s.kind != "module"}
        assert EXPECTED_SYMBOLS <= got, sorted(EXPECTED_SYMBOLS - got)
        assert graph.symbol(f"{T}src.defs.add").docstring == "Adds."
    finally:
        indexer.close()


def test_impact_reaches_vitest_tests_with_their_ids(tmp_path):
    from indexer.analysis.impact import impact

    files = {
        "src/cart.ts": "export function addItem() {}\nexport function total() { return addItem(); }\n",
        "src/cart.test.ts": """
            import { describe, it, test } from "vitest";
            import { total } from "./cart";
            describe("Cart", () => {
              describe("totals", () => {
                it("sums items", () => { total(); });
              });
            });
            test("unrelated", () => {});
            """,
    }
    indexer, graph = build(tmp_path, files)
    try:
        report = impact(graph, f"{T}src.cart.addItem")
        assert [t.id for t in report.tests] == ["src/cart.test.ts > Cart > totals > sums items"]
    finally:
        indexer.close()


def test_inline_object_types_hold_members(tmp_path):
    files = {"src/router.ts": """
        export class Router<Q> {
          readonly _def: { queries: Q; name: string };
          constructor() { this._def = { queries: {} as Q, name: "r" }; }
          size() { return Object.keys(this._def.queries).length; }
        //>                                         queries -> typescript:src.router.Router._def.queries
        }
        """}
    indexer, graph = build(tmp_path, files)
    try:
        check(graph, files)
    finally:
        indexer.close()


def test_type_parameter_defaults_and_constraints_hold_no_members(tmp_path):
    """`I<T = { subs: S }>`: `subs` is a property of the default's type, not of
    I: one symbol I.subs (the body's), and uses through I name that one."""
    files = {"src/router.ts": """
        export interface RouterDef<TSubs = { subscriptions: string }, TQ extends { queries: number } = any> {
          subscriptions: TSubs;
          queries: TQ;
        }
        export function subs(def: RouterDef) { return def.subscriptions; }
        //>                                                 subscriptions -> typescript:src.router.RouterDef.subscriptions
        """}
    indexer, graph = build(tmp_path, files)
    try:
        check(graph, files)
        got = [(s.qualname.removeprefix(f"{T}src.router."), s.selection_range.start.line) for s in graph.symbols_in_file("src/router.ts")
               if s.kind != "module"]
        assert sorted(q for q, _ in got if q.startswith("RouterDef.")) == ["RouterDef.queries",
                                                                          "RouterDef.subscriptions"], got
    finally:
        indexer.close()


def test_find_references_of_a_member_covers_its_overrides_as_tsserver_does(tmp_path):
    from indexer.analysis.navigation import reference_span_pages

    files = {"src/actions.ts": """
        export abstract class Action { abstract work(): void; run() { this.work(); } }
        export class Fast extends Action { work() {} }
        export class Slow extends Action { work() {} }
        new Fast().work();
        """}
    indexer, graph = build(tmp_path, files)
    try:
        pages = []
        reference_span_pages(graph, "src/actions.ts", 1, 35, False, 0.5, False, pages.append)
        spans = {(line, col) for page in pages for (_p, line, col, _el, _ec) in page}
        # Action.work's use in run(), the sibling's declaration and the base's, the call on Fast
        assert spans == {(0, 67), (0, 40), (2, 35), (3, 11)}, spans
    finally:
        indexer.close()


def test_the_override_family_stops_at_ancestors_that_lack_the_member(tmp_path):
    """tsserver: a member's ancestors that declare it, and their descendants;
    a sibling sharing only an ancestor without the member is not one of them."""
    from indexer.analysis.navigation import reference_span_pages

    source = """
        export interface Closable { close(): void }
        export interface Observer { error(e: any): void }
        export class Subscriber implements Observer, Closable { error(e: any) {} close() {} }
        export class Subject implements Closable { error(e: any) {} close() {} }
        export class Consumer implements Observer { error(e: any) {} }
        new Subject().error(1);
        new Subscriber().error(2);
        """
    files = {"src/obs.ts": source}
    lines = textwrap.dedent(source).lstrip("\n").split("\n")
    indexer, graph = build(tmp_path, files)
    try:
        pages = []
        reference_span_pages(graph, "src/obs.ts", 4, lines[4].index("error"), False, 0.5, False, pages.append)
        spans = {(line, col) for page in pages for (_p, line, col, _el, _ec) in page}
        assert spans == {(1, lines[1].index("error")), (2, lines[2].index("error")),
                         (6, lines[6].index("error"))}, spans
    finally:
        indexer.close()


def test_destructuring_reads_the_properties(tmp_path):
    files = {"src/socket.ts": """
        export interface Config { url: string; protocol: string }
        export class Socket {
          constructor(private config: Config) {}
          open() { const { url, protocol: p } = this.config; return url + p; }
        //>                  url -> typescript:src.socket.Config.url annotation
        //>                       protocol -> typescript:src.socket.Config.protocol annotation
        }
        """}
    indexer, graph = build(tmp_path, files)
    try:
        check(graph, files)
    finally:
        indexer.close()


def test_object_literal_keys_use_the_contextual_type(tmp_path):
    files = {"src/def.ts": """
        export interface RouterDef { router: boolean; name: string; run(): void }
        const def: RouterDef = { router: true, name: "x", run() {} };
        //>                      router -> typescript:src.def.RouterDef.router annotation
        //>                                                run -> typescript:src.def.RouterDef.run annotation
        export function make(name: string): RouterDef {
          return { router: false, name, run: () => {} };
        //>                       name -> typescript:src.def.RouterDef.name annotation
        }
        """}
    indexer, graph = build(tmp_path, files)
    try:
        check(graph, files)
    finally:
        indexer.close()


def test_discriminated_union_keys_name_only_the_agreeing_part(tmp_path):
    """`{ ok: false }` under `OK | Failed` names Failed.ok only (tsserver
    narrows by the literal); a read `r.ok` still names both parts."""
    files = CASES["discriminated unions: an object literal's literal values pick the union parts its keys name"]
    indexer, graph = build(tmp_path, files)
    try:
        line = textwrap.dedent(files["src/result.ts"]).lstrip("\n").split("\n").index(
            "  return { ok: false, error: new Error() };")
        targets = {r.target for r in graph.reference_at("src/result.ts", line, 11)}
        assert targets == {T + "src.result.Failed.ok"}
    finally:
        indexer.close()
