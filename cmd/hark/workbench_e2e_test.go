package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/hark-audio/hark/views/tuitest"
)

// ptyTerm is the real hark binary running in a pseudo-terminal, its output fed to a screen.
type ptyTerm struct {
	t       *testing.T
	ptmx    *os.File // the terminal's side we read and type on
	tty     *os.File // the program's side, kept open to read its modes after it exits
	mu      sync.Mutex
	scr     *tuitest.Screen
	raw     strings.Builder // the whole output stream
	done    chan struct{}   // closed when the output ends
	exited  chan struct{}   // closed when the process has exited, exitErr set
	exitErr error
}

// startHark builds the binary and starts it with args in an 80x24 terminal, with a fresh home
// and cache folder so that the demo dataset is generated as on a first run.
func startHark(t *testing.T, args ...string) *ptyTerm {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "hark")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	home := t.TempDir()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 80}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = home // runs and sessions go under ./hark-runs and ./hark-sessions
	cmd.Env = []string{
		"HOME=" + home, "XDG_CACHE_HOME=" + filepath.Join(home, "cache"), "PATH=" + os.Getenv("PATH"),
		"TERM=xterm-256color", "NO_COLOR=1", "LANG=C.UTF-8",
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tm := &ptyTerm{t: t, ptmx: ptmx, tty: tty, scr: tuitest.NewScreen(80, 24),
		done: make(chan struct{}), exited: make(chan struct{})}
	go tm.read()
	go func() {
		tm.exitErr = cmd.Wait()
		close(tm.exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		ptmx.Close()
		tty.Close()
	})
	return tm
}

func (tm *ptyTerm) read() {
	defer close(tm.done)
	buf := make([]byte, 32<<10)
	for {
		n, err := tm.ptmx.Read(buf)
		tm.mu.Lock()
		tm.raw.Write(buf[:n])
		tm.scr.Write(buf[:n])
		tm.mu.Unlock()
		if err != nil {
			return
		}
	}
}

func (tm *ptyTerm) text() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.scr.Text()
}

// waitFor waits until the screen shows every one of want, failing with the screen after d.
func (tm *ptyTerm) waitFor(d time.Duration, want ...string) string {
	tm.t.Helper()
	deadline := time.Now().Add(d)
	for {
		s := tm.text()
		missing := ""
		for _, w := range want {
			if !strings.Contains(s, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("after %v the screen lacks %q:\n%s", d, missing, s)
		}
		select {
		case <-tm.exited:
			time.Sleep(100 * time.Millisecond) // let the last output arrive
			tm.t.Fatalf("hark ended (%v) before the screen showed %q:\n%s", tm.exitErr, missing, tm.text())
		default:
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (tm *ptyTerm) typeKeys(keys ...string) {
	tm.t.Helper()
	for _, k := range keys {
		if _, err := io.WriteString(tm.ptmx, k); err != nil {
			tm.t.Fatal(err)
		}
		time.Sleep(30 * time.Millisecond) // one key per read, as a person types
	}
}

func modes(t *testing.T, f *os.File) *unix.Termios {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return tio
}

// TestWorkbenchEndToEnd runs the real binary in a pseudo-terminal: the demo dataset appears,
// the inspector shows a clip, the cursor moves and reads out time, the view changes; a short
// run is trained from the Train pane and watched to its end in the Monitor; the Results pane
// shows the confusion matrix and report; the Errors pane steps to a misclassified clip; q
// quits with status 0 and the terminal is left as it was found.
func TestWorkbenchEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	tm := startHark(t)
	before := modes(t, tm.tty)

	screen := tm.waitFor(60*time.Second, "[1 Datasets]", "layout", "Classes (6)", "arpeggio/arpeggio_000.wav", "144 items")
	t.Logf("datasets pane:\n%s", screen)

	// A click on the Inspector's tab (an SGR mouse report: press, release) opens it.
	x := strings.Index(strings.SplitN(screen, "\n", 2)[0], "2 Inspector")
	if x < 0 {
		t.Fatalf("no Inspector tab:\n%s", screen)
	}
	tm.typeKeys(fmt.Sprintf("\x1b[<0;%d;1M\x1b[<0;%d;1m", x+2, x+2))
	screen = tm.waitFor(20*time.Second, "[2 Inspector]", "clip 1/144", "[mel]", "t=0.00 s")
	t.Logf("inspector:\n%s", screen)

	tm.typeKeys("\x1b[C", "\x1b[C", "\x1b[C") // three right arrows: three frames of 32 ms
	tm.waitFor(10*time.Second, "t=0.10 s")

	tm.typeKeys("c")
	screen = tm.waitFor(20*time.Second, "[chroma]", "note=")
	t.Logf("chroma:\n%s", screen)

	// Train a short run: the form's epochs row set to 2, then enter.
	tm.typeKeys("3")
	tm.waitFor(20*time.Second, "[3 Train]", "> recipe")
	for range 18 {
		tm.typeKeys("\x1b[B")
	}
	tm.waitFor(10*time.Second, "> epochs")
	tm.typeKeys("e", "\x15", "2", "\r")
	tm.waitFor(10*time.Second, "> epochs         <2>")
	tm.typeKeys("\r")

	tm.typeKeys("4")
	screen = tm.waitFor(liveness, "[4 Monitor]", "done: accuracy")
	t.Logf("monitor:\n%s", screen)

	tm.typeKeys("5")
	screen = tm.waitFor(20*time.Second, "[5 Results]", "confusion", "macro avg")
	t.Logf("results:\n%s", screen)

	// Open the cell under the cursor in Errors, then jump to the first cell with errors.
	tm.typeKeys("\r")
	tm.waitFor(20*time.Second, "[6 Errors]")
	tm.typeKeys("e")
	screen = tm.waitFor(20*time.Second, "[6 Errors]", "predicted")
	t.Logf("errors:\n%s", screen)

	tm.typeKeys("q")
	select {
	case <-tm.exited:
		var exit *exec.ExitError
		if errors.As(tm.exitErr, &exit) {
			t.Fatalf("hark exited with status %d", exit.ExitCode())
		}
		if tm.exitErr != nil {
			t.Fatal(tm.exitErr)
		}
	case <-time.After(liveness):
		t.Fatalf("q did not quit; screen:\n%s", tm.text())
	}
	select {
	case <-tm.done:
	case <-time.After(2 * time.Second):
	}

	tm.mu.Lock()
	raw, scr := tm.raw.String(), tm.scr
	tm.mu.Unlock()
	if entered, active := scr.AltScreen(); !entered || active {
		t.Errorf("alternate screen: entered %v, still active after exit %v", entered, active)
	}
	if i := strings.LastIndex(raw, "\x1b[?25l"); i >= 0 && !strings.Contains(raw[i:], "\x1b[?25h") {
		t.Error("the cursor was hidden and not shown again")
	}
	if i := strings.LastIndex(raw, "\x1b[?1002h"); i < 0 || !strings.Contains(raw[i:], "\x1b[?1002l") {
		t.Error("mouse reporting was not asked for, or not turned off at exit")
	}
	after := modes(t, tm.tty)
	const kept = unix.ICANON | unix.ECHO | unix.ISIG
	if before.Lflag&kept != after.Lflag&kept || before.Iflag != after.Iflag || before.Oflag != after.Oflag {
		t.Errorf("terminal modes not restored: lflag %#x -> %#x, iflag %#x -> %#x, oflag %#x -> %#x",
			before.Lflag, after.Lflag, before.Iflag, after.Iflag, before.Oflag, after.Oflag)
	}
}

// TestWorkbenchNeedsTerminal checks the plain error when the output is not a terminal.
// With --no-mouse the workbench never asks the terminal for mouse reports.
func TestWorkbenchNoMouse(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	tm := startHark(t, "--no-mouse", "--no-session")
	tm.waitFor(liveness, "[1 Datasets]", "Classes (6)")
	tm.typeKeys("q")
	select {
	case <-tm.exited:
	case <-time.After(liveness):
		t.Fatalf("q did not quit; screen:\n%s", tm.text())
	}
	tm.mu.Lock()
	raw := tm.raw.String()
	tm.mu.Unlock()
	if strings.Contains(raw, "\x1b[?1002h") || strings.Contains(raw, "\x1b[?1000h") {
		t.Error("--no-mouse still asked for mouse reports")
	}
}

func TestWorkbenchNeedsTerminal(t *testing.T) {
	var out, errb strings.Builder
	if code := runWorkbench(nil, &out, &errb); code != exitUser {
		t.Errorf("exit %d, want %d", code, exitUser)
	}
	if !strings.Contains(errb.String(), "needs a terminal") {
		t.Errorf("stderr %q", errb.String())
	}
}

func TestWorkbenchFlags(t *testing.T) {
	var out, errb strings.Builder
	if code := runWorkbench([]string{"--help"}, &out, &errb); code != exitOK || !strings.Contains(out.String(), "--data") {
		t.Errorf("--help: exit %d, stdout %q", code, out.String())
	}
	out.Reset()
	missing := filepath.Join(t.TempDir(), "absent")
	if code := runWorkbench([]string{"--data", missing}, &out, &errb); code != exitUser ||
		!strings.Contains(errb.String(), missing) || !strings.Contains(errb.String(), "no such file") {
		t.Errorf("--data absent: exit %d, stderr %q", code, errb.String())
	}
	errb.Reset()
	if code := runWorkbench([]string{"--bogus"}, &out, &errb); code != exitUsage {
		t.Errorf("--bogus: exit %d, stderr %q", code, errb.String())
	}
}

// liveness is how long a test waits for something that should happen within a second: long,
// because CI runs the packages in parallel on two busy cores, and only a failing test waits it
// out.
const liveness = 60 * time.Second
