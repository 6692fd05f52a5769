"""Cross-file resolution, one rule per case: source files in, `#>` markers
say what each use must resolve to (see tests/support.py)."""

from __future__ import annotations

import pytest

from tests.support import build, check

CASES = {
    "scopes: local, enclosing, global, builtin": {
        "mod.py": """
            LIMIT = 3

            def outer(items):
                count = 0
                def inner():
                    nonlocal count
                    count += 1
                    return LIMIT + len(items)
            #>                 LIMIT -> mod.LIMIT scope
            #>                 len -> builtins.len builtin
            #>                 items -> mod.outer.items scope
                return inner() + count
            #>         inner -> mod.outer.inner scope
            #>         count -> mod.outer.count scope
            """,
    },
    "class scope is invisible to methods; global statement": {
        "mod.py": """
            name = "module"
            counter = 0

            class Box:
                name = "class"
                label = name
            #>          name -> mod.Box.name scope

                def show(self):
                    return name
            #>             name -> mod.name scope

            def bump():
                global counter
                counter = counter + 1
            #>  counter#2 -> mod.counter scope
            """,
    },
    "a global statement at module level ends the lookup (it once looped forever)": {
        "mod.py": """
            global count
            count = 1
            print(count)
            #>    print -> builtins.print builtin
            """,
    },
    "absolute imports of modules and names": {
        "pkg/__init__.py": "",
        "pkg/util.py": """
            def helper(x):
                return x
            """,
        "main.py": """
            import pkg.util
            #>     pkg -> pkg import
            #>     util -> pkg.util import
            from pkg.util import helper
            #>                   helper -> pkg.util.helper import
            import pkg.util as u

            pkg.util.helper(1)
            #>       helper -> pkg.util.helper
            helper(2)
            #> helper -> pkg.util.helper import
            u.helper(3)
            #> helper -> pkg.util.helper module
            """,
    },
    "relative imports, one and two levels": {
        "app/__init__.py": "",
        "app/core/__init__.py": "",
        "app/core/models.py": """
            class User:
                pass
            """,
        "app/core/service.py": """
            from .models import User
            #>                 User -> app.core.models.User import
            from . import models
            #>            models -> app.core.models import
            def make():
                return User(), models.User()
            #>             User -> app.core.models.User import
            #>                            User -> app.core.models.User
            """,
        "app/web/views.py": """
            from ..core.service import make
            #>                         make -> app.core.service.make import
            make()
            #> make -> app.core.service.make import
            """,
    },
    "re-exports through __init__ and __all__ with star imports": {
        "lib/__init__.py": """
            from .impl import *
            from .impl import Private as Renamed
            """,
        "lib/impl.py": """
            __all__ = ["public"]

            def public():
                pass

            def hidden():
                pass

            class Private:
                pass
            """,
        "use.py": """
            import lib
            from lib import public, Renamed
            #>              public -> lib.impl.public import
            #>                      Renamed -> lib.impl.Private import
            lib.public()
            #>  public -> lib.impl.public
            lib.hidden()
            #>  hidden -> ?
            """,
    },
    "star import at the use site": {
        "shapes.py": """
            def area(w, h):
                return w * h

            def _internal():
                pass
            """,
        "calc.py": """
            from shapes import *
            area(1, 2)
            #> area -> shapes.area star-import
            """,
    },
    "src layout": {
        "src/widget/__init__.py": """
            from widget.parts import Gear
            #>                      Gear -> widget.parts.Gear import
            """,
        "src/widget/parts.py": """
            class Gear:
                def turn(self):
                    pass
            """,
        "tests/test_parts.py": """
            from widget import Gear

            def test_turn():
                Gear().turn()
            #>         turn -> widget.parts.Gear.turn constructor
            """,
    },
    "self and cls through the class hierarchy, super()": {
        "base.py": """
            class Base:
                def save(self):
                    pass

                @classmethod
                def create(cls):
                    return cls()

                def close(self):
                    pass
            """,
        "child.py": """
            from base import Base

            class Child(Base):
            #>          Base -> base.Base import
                def run(self):
                    self.save()
            #>           save -> base.Base.save
                    self.step()
            #>           step -> child.Child.step self
                    super().close()
            #>              close -> base.Base.close super

                def step(self):
                    pass

                @classmethod
                def build(cls):
                    return cls.create()
            #>                  create -> base.Base.create

                def close(self):
                    pass

            class GrandChild(Child):
                def go(self):
                    self.close()
            #>           close -> child.Child.close
                    self.save()
            #>           save -> base.Base.save mro
            """,
    },
    "instances from constructors, annotations and return types": {
        "models.py": """
            class Engine:
                def start(self):
                    pass

            class Car:
                def __init__(self, engine: Engine):
                    self.engine = engine
                    self.spare = Engine()

                def drive(self) -> "Engine":
                    return self.engine
            """,
        "garage.py": """
            from models import Car, Engine

            def service(car: Car, maybe: Engine | None = None):
                car.drive()
            #>      drive -> models.Car.drive annotation
                car.engine.start()
            #>             start -> models.Engine.start
                car.spare.start()
            #>            start -> models.Engine.start
                car.drive().start()
            #>              start -> models.Engine.start
                maybe.start()
            #>        start -> models.Engine.start

            def fresh():
                c = Car(Engine())
                c.drive()
            #>    drive -> models.Car.drive constructor
            """,
    },
    # schedule's `every(1).seconds.do(job)`: 137 uses of Job.do were name
    # matches only, since `return self` was evaluated where no `self` exists.
    "fluent methods and properties that return self": {
        "sched.py": """
            class Job:
                def every(self):
                    return self

                @property
                def seconds(self):
                    self.unit = "s"
                    return self

                @property
                def second(self):
                    return self.seconds

                def do(self, f):
                    return f

            def every() -> Job:
                return Job()

            def use():
                every().every().do(1)
            #>                  do -> sched.Job.do constructor
                every().seconds.do(2)
            #>                  do -> sched.Job.do annotation
                every().second.do(3)
            #>                 do -> sched.Job.do annotation
                Job().seconds.do(4)
            #>                do -> sched.Job.do annotation
            """,
    },
    "elements of annotated collections, with-statement targets": {
        "coll.py": """
            from typing import List, Optional
            import typing as t

            class Param:
                def info(self):
                    pass

            class Command:
                def get_params(self) -> t.List["Param"]:
                    return []

                def first(self) -> Optional[List[Param]]:
                    return None

                def __enter__(self):
                    return self

                def __exit__(self, *exc):
                    pass

            def show(cmd: Command, extra: list[Param]):
                for p in cmd.get_params():
                    p.info()
            #>        info -> coll.Param.info
                names = [q.info() for q in extra]
            #>                 info -> coll.Param.info
                cmd.first()[0].info()
            #>                 info -> coll.Param.info
                with Command() as c:
                    c.get_params()
            #>        get_params -> coll.Command.get_params
            """,
    },
    "identity-preserving decorators": {
        "deco.py": """
            import functools

            def logged(fn):
                @functools.wraps(fn)
                def wrapper(*args, **kwargs):
                    return fn(*args, **kwargs)
                return wrapper

            class Account:
                @property
                def owner(self) -> "Person":
                    return Person()

                @staticmethod
                def rate():
                    return 1

                @logged
                def close(self):
                    pass

            class Person:
                def greet(self):
                    pass

            def use(a: Account):
                a.owner.greet()
            #>      owner -> deco.Account.owner
            #>            greet -> deco.Person.greet
                Account.rate()
            #>          rate -> deco.Account.rate
                a.close()
            #>    close -> deco.Account.close
            """,
    },
    "decorators whose return type is known transform the function": {
        "cli/core.py": """
            import typing as t

            class Group:
                def command(self):
                    pass

            @t.overload
            def group(name: t.Callable) -> Group: ...

            @t.overload
            def group(name: str = None) -> t.Callable[[t.Callable], Group]: ...

            def group(name=None):
                pass

            def plain(f: F) -> F:
                return f
            """,
        "app.py": """
            from cli.core import group, plain

            @group()
            def main():
                pass

            @group
            def other():
                pass

            @plain
            def kept():
                pass

            main.command()
            #>   command -> cli.core.Group.command
            other.command()
            #>    command -> cli.core.Group.command
            kept()
            #> kept -> app.kept scope
            """,
    },
    "name-match fallback at low confidence": {
        "a.py": """
            class Widget:
                def render_all(self):
                    pass
            """,
        "b.py": """
            def draw(thing):
                thing.render_all()
            #>        render_all -> ~a.Widget.render_all
                thing.no_such_method()
            #>        no_such_method -> ?
            """,
    },
    "keyword arguments bind to parameters": {
        "k.py": """
            def connect(host, port=80):
                pass

            class Client:
                def __init__(self, url, timeout=1):
                    pass

            connect("x", port=8080)
            #>           port -> k.connect.port keyword
            Client("u", timeout=3)
            #>          timeout -> k.Client.__init__.timeout keyword
            """,
    },
    "pytest fixtures by parameter name: module, conftest above, class": {
        "tests/conftest.py": """
            import pytest

            @pytest.fixture
            def db():
                return {}
            """,
        "tests/unit/test_store.py": """
            import pytest

            @pytest.fixture
            def record(db):
            #>         db -> tests.conftest.db fixture
                return 1

            def test_save(db, record):
            #>            db -> tests.conftest.db fixture
            #>                record -> tests.unit.test_store.record fixture
                assert db is not None

            class TestThing:
                @pytest.fixture
                def local(self):
                    return 2

                def test_local(self, local, db):
            #>                         local -> tests.unit.test_store.TestThing.local fixture
            #>                                db -> tests.conftest.db fixture
                    pass
            """,
    },
    "fixture values across conftest files: returned, yielded, annotated Iterator/Generator": {
        "app/server.py": """
            class TestServer:
                @property
                def url(self):
                    return "http://x"

            class Response:
                @property
                def url(self):
                    return "y"
            """,
        "tests/conftest.py": """
            import typing
            from collections.abc import Generator

            import pytest

            from app.server import TestServer

            @pytest.fixture
            def server() -> typing.Iterator[TestServer]:
                yield TestServer()

            @pytest.fixture
            def served() -> Generator[TestServer, None, None]:
                yield TestServer()

            @pytest.fixture
            def plain():
                s = TestServer()
                yield s
            """,
        "tests/deep/test_http.py": """
            def test_get(server, served, plain):
                server.url
            #>         url -> app.server.TestServer.url annotation
                served.url
            #>         url -> app.server.TestServer.url annotation
                plain.url
            #>        url -> app.server.TestServer.url annotation
            """,
    },
    "an unknown member of an instance whose class has __getattr__: what it returns": {
        "plug.py": """
            from typing import TYPE_CHECKING, Final

            class HookCaller:
                def __call__(self, **kw):
                    return 1

            class HookRelay:
                if TYPE_CHECKING:
                    def __getattr__(self, name: str) -> HookCaller: ...

            class Manager:
                def __init__(self):
                    self.hook: Final = HookRelay()  # a bare Final: the value says the type

            def fire(pm: Manager):
                pm.hook.myhook(arg=1)
            #>         myhook -> plug.HookRelay.__getattr__ dunder
            """,
    },
    "external names keep their dotted path": {
        "ext.py": """
            import os.path
            from collections import OrderedDict

            os.path.join("a", "b")
            #>      join -> os.path.join external
            OrderedDict()
            #> OrderedDict -> collections.OrderedDict external
            """,
    },
    "sibling import by bare name (scripts, tests without __init__)": {
        "tools/helpers.py": """
            def assist():
                pass
            """,
        "tools/run.py": """
            import helpers
            helpers.assist()
            #>      assist -> tools.helpers.assist
            """,
    },
    # -- value flow: a name bound to X holds X (kind "flow" rows, how = the idiom)
    "value flow: module-level alias and chained assignment": {
        "impl.py": """
            def implementation(x, flag=False):
                return x

            short = long_name = implementation
            #>                  implementation -> impl.implementation alias
            field = short
            #>      short -> impl.short alias
            """,
        "use.py": """
            import impl
            impl.long_name(1)
            #>   long_name -> impl.long_name module
            #>   long_name -> impl.implementation alias
            impl.field(2)
            #>   field -> impl.implementation alias
            """,
    },
    "value flow: functools.partial and partialmethod": {
        "impl.py": """
            import functools
            from functools import partialmethod

            def implementation(x, flag=False):
                return x

            helper = functools.partial(implementation, flag=True)
            #>                         implementation -> impl.implementation partial

            class Box:
                def set(self, on):
                    pass
                on = partialmethod(set, True)
            #>                     set -> impl.Box.set partial
            """,
    },
    "value flow: class-level alias and wrapping calls": {
        "impl.py": """
            def make():
                pass

            class Box:
                def run(self):
                    pass
                start = run
            #>          run -> impl.Box.run alias
                build = staticmethod(make)
            #>                       make -> impl.make wrapped
            """,
    },
    "value flow: dispatch dicts and registries": {
        "impl.py": """
            def on_a():
                pass

            def on_b():
                pass

            HANDLERS = {"a": on_a, "b": on_b}
            #>               on_a -> impl.on_a registry
            #>                           on_b -> impl.on_b registry
            ORDER = [on_b]
            #>       on_b -> impl.on_b registry

            def handle(key):
                return HANDLERS[key]()
            #>         HANDLERS -> impl.HANDLERS scope
            """,
    },
    "value flow: callables stored on self": {
        "impl.py": """
            def notify():
                pass

            class Button:
                def __init__(self):
                    self.callback = notify
            #>                      notify -> impl.notify stored

                def click(self):
                    self.callback()
            #>           callback -> impl.Button.callback self
            """,
    },
    "value flow: getattr with a literal name": {
        "impl.py": """
            class Plugin:
                def start(self):
                    pass

                def run(self, name):
                    getattr(self, "start")()
            #>                     start -> impl.Plugin.start getattr
                    return getattr(self, name)
            """,
    },
    # -- inferring before guessing
    "typing.cast names the type": {
        "mod.py": """
            import typing
            from typing import cast

            class Conn:
                def send(self):
                    pass

            def use(raw):
                c = cast(Conn, raw)
                c.send()
            #>    send -> mod.Conn.send constructor
                d = typing.cast("Conn", raw)
                d.send()
            #>    send -> mod.Conn.send constructor
            """,
    },
    "isinstance narrowing in an if block and after assert": {
        "mod.py": """
            class Conn:
                def send(self):
                    pass

            def use(x, y):
                if isinstance(x, Conn):
                    x.send()
            #>        send -> mod.Conn.send constructor
                x.send()
            #>    send -> ~mod.Conn.send
                assert isinstance(y, Conn)
                y.send()
            #>    send -> mod.Conn.send constructor
            """,
    },
    "TypeVar bounds, also as a string": {
        "mod.py": """
            from typing import TypeVar

            T = TypeVar("T", bound="Conn")
            #>                       Conn -> mod.Conn
            U = TypeVar("U", bound=Conn)

            class Conn:
                def send(self):
                    pass

            def use(a: T, b: U):
                a.send()
            #>    send -> mod.Conn.send annotation
                b.send()
            #>    send -> mod.Conn.send annotation
            """,
    },
    "__all__ entries are references": {
        "pkg/__init__.py": """
            from pkg.impl import run

            __all__ = ["run", "missing"]
            #>          run -> pkg.impl.run import
            #>                 missing -> ?
            """,
        "pkg/impl.py": """
            def run():
                pass
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


GUESSES = {
    "api.py": """
        class Response:
            url = ""

        def fetch(server):
            return server.url
        """,
}


def test_find_references_leaves_guesses_out_unless_asked(tmp_path):
    from indexer.analysis.navigation import find_references

    indexer, graph = build(tmp_path, GUESSES)
    try:
        sure = find_references(graph, ["api.Response.url"])
        with_guesses = find_references(graph, ["api.Response.url"], guesses=True)
        assert sure == []  # `server` has no known type: its .url is only a name match
        assert [(r.how, r.range.start.line) for r in with_guesses] == [("name-match", 4)]
    finally:
        indexer.close()
