package tuitest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Updater is anything with an Update method of either shape: tea.Model or a pane.
type Updater func(tea.Msg) tea.Cmd

// Drain runs cmd and every command that follows from it, feeding each message to update,
// until none is left or the program asks to quit; it returns the messages seen, in order.
// Batches run in order, one command after the other, so runs are deterministic.
func Drain(update Updater, cmd tea.Cmd) []tea.Msg {
	var seen []tea.Msg
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			return append(seen, msg)
		default:
			seen = append(seen, msg)
			queue = append(queue, update(msg))
		}
	}
	return seen
}

// Key returns the key press named as Bubble Tea names it ("enter", "shift+tab", "ctrl+c",
// "left", "f1", "q", "?").
func Key(name string) tea.KeyPressMsg {
	var k tea.Key
	rest := name
	for {
		switch {
		case strings.HasPrefix(rest, "ctrl+") && len(rest) > 5:
			k.Mod |= tea.ModCtrl
			rest = rest[5:]
			continue
		case strings.HasPrefix(rest, "alt+") && len(rest) > 4:
			k.Mod |= tea.ModAlt
			rest = rest[4:]
			continue
		case strings.HasPrefix(rest, "shift+") && len(rest) > 6:
			k.Mod |= tea.ModShift
			rest = rest[6:]
			continue
		}
		break
	}
	if code := special(rest); code != 0 {
		k.Code = code
		if code == tea.KeySpace && k.Mod == 0 {
			k.Text = " " // as terminals send it: a printable key
		}
		return tea.KeyPressMsg(k)
	}
	r, _ := utf8.DecodeRuneInString(rest)
	k.Code = r
	if k.Mod == 0 {
		k.Text = rest
	}
	return tea.KeyPressMsg(k)
}

// special is the code of a named key, 0 for a printable one.
func special(name string) rune {
	switch name {
	case "enter":
		return tea.KeyEnter
	case "tab":
		return tea.KeyTab
	case "esc":
		return tea.KeyEscape
	case "backspace":
		return tea.KeyBackspace
	case "space":
		return tea.KeySpace
	case "up":
		return tea.KeyUp
	case "down":
		return tea.KeyDown
	case "left":
		return tea.KeyLeft
	case "right":
		return tea.KeyRight
	case "home":
		return tea.KeyHome
	case "end":
		return tea.KeyEnd
	case "pgup":
		return tea.KeyPgUp
	case "pgdown":
		return tea.KeyPgDown
	}
	if n, err := strconv.Atoi(strings.TrimPrefix(name, "f")); err == nil && strings.HasPrefix(name, "f") && n >= 1 && n <= 12 {
		return tea.KeyF1 + rune(n-1)
	}
	return 0
}

// Golden compares got with testdata/name.golden, or writes it there when update is set (pass
// the test package's -update flag).
func Golden(t testing.TB, name, got string, update bool) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("view differs from %s (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// Lines checks that s has exactly h lines of at most w cells, the contract of every view.
func Lines(t testing.TB, s string, w, h int) {
	t.Helper()
	lines := strings.Split(s, "\n")
	if len(lines) != h {
		t.Errorf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d cells wide, more than %d: %q", i, n, w, l)
		}
	}
}
