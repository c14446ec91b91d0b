"""Headless Chromium driven over its DevTools pipe (``--remote-debugging-pipe``): one browser for every page of a
test, a page laid out at a width and for screen or print, measured, photographed and printed to PDF.

The pipe is the protocol's JSON messages, each ended by a NUL byte: Chromium reads ours on its fd 3 and writes its
own on fd 4. It needs nothing beyond the Debian package and the standard library."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Where Debian's package puts it; MERIDIAN_CHROMIUM names another.
DEFAULT_EXECUTABLE = "/usr/bin/chromium"
#: How long any one step may take before the test says which step hung.
STEP_SECONDS = 60.0
#: Paper sizes in millimetres, portrait.
PAPER_MM = {"a4": (210.0, 297.0), "a3": (297.0, 420.0), "letter": (215.9, 279.4)}
#: Chromium's own print margins, for a page that does not set its own.
DEFAULT_MARGIN_MM = 10.0

LAYOUT_SCRIPT = (Path(__file__).parent / "layout.js").read_text(encoding="utf-8")


class BrowserFailed(RuntimeError):
    """Chromium answered with an error, closed its pipe, or took longer than a step may take."""


def chromium_executable() -> str | None:
    """The Chromium to run, if this machine has it."""
    wanted = os.environ.get("MERIDIAN_CHROMIUM", DEFAULT_EXECUTABLE)
    found = shutil.which(wanted)
    return found if found and os.access(found, os.X_OK) else None


@dataclass(frozen=True)
class PrintedPage:
    """A page's @page rule as the browser reads it: the paper and the margins it prints with."""

    paper_width_mm: float
    paper_height_mm: float
    margin_left_px: float
    margin_right_px: float

    @property
    def printable_width_px(self) -> int:
        return round(self.paper_width_mm / 25.4 * 96 - self.margin_left_px - self.margin_right_px)


class Chromium:
    """One browser with one tab; ``load`` a file, then ``layout``, ``screenshot`` or ``pdf`` it."""

    def __init__(self, executable: str) -> None:
        self.executable = executable
        self._profile = tempfile.TemporaryDirectory(prefix="meridian-chromium-")
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []
        self._log_path = Path(self._profile.name) / "chromium.log"
        self._log = self._log_path.open("wb")

    def __enter__(self) -> Chromium:
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        # Chromium's ends move above fd 9 first, so that putting one on fd 3 or 4 never overwrites the other.
        to_browser_r, from_browser_w = (_above_nine(fd) for fd in (to_browser_r, from_browser_w))
        # bash (dash reads one-digit fds only) puts the pipe ends where the DevTools pipe expects them, then
        # becomes Chromium.
        self._process = subprocess.Popen(
            ["/bin/bash", "-c", f'exec "$0" "$@" 3<&{to_browser_r} 4>&{from_browser_w}', self.executable,
             "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--mute-audio",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--font-render-hinting=none",
             "--remote-debugging-pipe", f"--user-data-dir={self._profile.name}", "about:blank"],
            pass_fds=(to_browser_r, from_browser_w), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=self._log)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._writer = os.fdopen(to_browser_w, "wb", buffering=0)
        self._reader = from_browser_r
        try:
            target = self._call("Target.createTarget", url="about:blank")["targetId"]
            self._session = self._call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            self._call("Page.enable", session=self._session)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *_: object) -> None:
        with contextlib.suppress(BrowserFailed, OSError):
            self._call("Browser.close")
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._writer.close()
        os.close(self._reader)
        self._log.close()
        self._profile.cleanup()

    # -- what a test does with a page --

    def load(self, page: Path, width: int, *, media: str = "screen") -> None:
        """Open ``page`` in a window ``width`` CSS pixels wide, laid out for ``media`` (screen or print), once its
        fonts are in."""
        self.lay_out(width, media=media)
        self._events.clear()
        self._call("Page.navigate", session=self._session, url=page.resolve().as_uri())
        self._wait_for("Page.loadEventFired", self._session)
        self.evaluate("document.fonts.ready.then(() => true)")

    def lay_out(self, width: int, *, media: str = "screen", height: int = 900) -> None:
        """Lay the open page out again in a window ``width`` CSS pixels wide, for ``media``."""
        self._call("Emulation.setDeviceMetricsOverride", session=self._session, width=width, height=height,
                   deviceScaleFactor=1, mobile=False)
        self._call("Emulation.setEmulatedMedia", session=self._session, media=media)

    def evaluate(self, expression: str) -> Any:
        answer = self._call("Runtime.evaluate", session=self._session, expression=expression, returnByValue=True,
                            awaitPromise=True)
        if "exceptionDetails" in answer:
            raise BrowserFailed(f"the page's script failed: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def measure(self) -> dict[str, Any]:
        """What overflows, is cut or stacks one character per line on the page as laid out (see layout.js)."""
        return self.evaluate(LAYOUT_SCRIPT)

    def fonts_drawing_cjk(self, sample: int = 40) -> dict[str, int]:
        """The fonts that draw the page's Chinese and Japanese text, with their glyph counts, from the first
        ``sample`` elements holding such text."""
        tab = self._session
        marked = self.evaluate(MARK_CJK_SCRIPT.replace("SAMPLE", str(sample)))
        if not marked:
            return {}
        self._call("DOM.enable", session=tab)
        self._call("CSS.enable", session=tab)
        try:
            root = self._call("DOM.getDocument", session=tab, depth=0)["root"]["nodeId"]
            nodes = self._call("DOM.querySelectorAll", session=tab, nodeId=root,
                               selector="[data-cjk-probe]")["nodeIds"]
            glyphs: dict[str, int] = {}
            for node in nodes:
                for font in self._call("CSS.getPlatformFontsForNode", session=tab, nodeId=node)["fonts"]:
                    glyphs[font["familyName"]] = glyphs.get(font["familyName"], 0) + font["glyphCount"]
            return glyphs
        finally:
            self._call("CSS.disable", session=tab)
            self._call("DOM.disable", session=tab)

    def printed_page(self) -> PrintedPage:
        """The paper and margins the loaded page asks for in its @page rule (A4 portrait, Chromium's margins,
        where it has none)."""
        asked = self.evaluate(PAGE_RULE_SCRIPT)
        words = str(asked["size"]).lower().split()
        short, long = next((PAPER_MM[w] for w in words if w in PAPER_MM), PAPER_MM["a4"])
        width, height = (long, short) if "landscape" in words else (short, long)
        default = DEFAULT_MARGIN_MM / 25.4 * 96
        return PrintedPage(width, height, asked["left"] if asked["rule"] else default,
                           asked["right"] if asked["rule"] else default)

    def screenshot(self) -> bytes:
        """The whole page as a PNG, as wide as its content (so anything overflowing shows) and as long."""
        metrics = self._call("Page.getLayoutMetrics", session=self._session)
        content, viewport = metrics["cssContentSize"], metrics["cssLayoutViewport"]
        clip = {"x": 0, "y": 0, "width": max(content["width"], viewport["clientWidth"]),
                "height": max(content["height"], viewport["clientHeight"]), "scale": 1}
        shot = self._call("Page.captureScreenshot", session=self._session, format="png", clip=clip,
                          captureBeyondViewport=True, optimizeForSpeed=True)
        return base64.b64decode(shot["data"])

    def pdf(self) -> bytes:
        """The page printed as its @page rule asks (A4 portrait where it has none), backgrounds included."""
        printed = self._call("Page.printToPDF", session=self._session, preferCSSPageSize=True,
                             printBackground=True, paperWidth=8.27, paperHeight=11.69)
        return base64.b64decode(printed["data"])

    # -- the protocol --

    def _call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self._writer.write(json.dumps(message).encode() + b"\0")
        while True:
            answer = self._receive(method)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise BrowserFailed(f"{method}: {answer['error']}")
                return answer["result"]
            if "method" in answer:
                self._events.append(answer)

    def _wait_for(self, event: str, session: str) -> None:
        while not any(e["method"] == event and e.get("sessionId") == session for e in self._events):
            self._events.append(self._receive(event))

    def _receive(self, waiting_for: str) -> dict[str, Any]:
        deadline = time.monotonic() + STEP_SECONDS
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._reader], [], [], max(left, 0))
            if not ready:
                raise BrowserFailed(f"Chromium gave no answer to {waiting_for} in {STEP_SECONDS:.0f} s")
            chunk = os.read(self._reader, 1 << 20)
            if not chunk:
                raise BrowserFailed(f"Chromium closed its pipe while we waited for {waiting_for}: "
                                    f"{self._stderr_tail()}")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def _stderr_tail(self) -> str:
        if self._process.poll() is None:
            return "it is still running"
        return self._log_path.read_bytes().decode(errors="replace")[-2000:]


def _above_nine(fd: int) -> int:
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


#: Marks (data-cjk-probe) the first SAMPLE elements whose own text has Han characters or kana; answers how many.
MARK_CJK_SCRIPT = """(() => {
  const cjk = /[\\u3040-\\u30ff\\u3400-\\u9fff\\uff01-\\uff60]/;
  let marked = 0;
  for (const el of document.body.querySelectorAll('*')) {
    if (marked >= SAMPLE) break;
    if (el.closest('style, script, title')) continue;
    const own = [...el.childNodes].filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.data).join('');
    if (cjk.test(own)) { el.setAttribute('data-cjk-probe', ''); marked += 1; }
  }
  return marked;
})()"""


#: The @page rule's size and left and right margins in CSS pixels, as the browser computes them.
PAGE_RULE_SCRIPT = """(() => {
  const rules = [...document.styleSheets].flatMap(sheet => [...sheet.cssRules]);
  const rule = rules.find(r => r instanceof CSSPageRule);
  const px = value => {
    const probe = document.createElement('div');
    probe.style.cssText = 'position:absolute;visibility:hidden;height:0;width:' + (value || '0');
    document.body.append(probe);
    const width = probe.getBoundingClientRect().width;
    probe.remove();
    return width;
  };
  return {rule: !!rule, size: rule ? rule.style.getPropertyValue('size') : '',
          left: px(rule && rule.style.getPropertyValue('margin-left')),
          right: px(rule && rule.style.getPropertyValue('margin-right'))};
})()"""
