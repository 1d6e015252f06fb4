package tuitest

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Screen is a small terminal emulator for end-to-end tests (over a pty or an SSH session): it
// keeps the characters of a w x h grid as the program's output moves the cursor and writes,
// following the
// xterm sequences Bubble Tea's renderer uses (cursor moves, erasing, inserting and deleting
// characters and lines, scroll regions, repeat). Colours and modes are ignored; the alternate
// screen is a second grid.
type Screen struct {
	w, h       int
	main, alt  [][]rune
	grid       [][]rune // main or alt
	x, y       int
	wrapNext   bool // the last write filled the last column: the next one wraps first
	top, bot   int  // scroll region, inclusive
	saveX      int
	saveY      int
	last       rune // for REP
	pending    []byte
	altEntered bool // the program entered the alternate screen at least once
	altActive  bool
}

// NewScreen returns a blank w x h screen.
func NewScreen(w, h int) *Screen {
	s := &Screen{w: w, h: h, main: blank(w, h), alt: blank(w, h), bot: h - 1}
	s.grid = s.main
	return s
}

func blank(w, h int) [][]rune {
	g := make([][]rune, h)
	for i := range g {
		g[i] = []rune(strings.Repeat(" ", w))
	}
	return g
}

// Text is the visible screen, lines joined by newlines, trailing spaces trimmed.
func (s *Screen) Text() string {
	lines := make([]string, s.h)
	for i, l := range s.grid {
		lines[i] = strings.TrimRight(string(l), " ")
	}
	return strings.Join(lines, "\n")
}

// Write feeds output bytes; sequences split across writes are kept until complete.
func (s *Screen) Write(p []byte) (int, error) {
	buf := append(s.pending, p...)
	s.pending = nil
	i := 0
	for i < len(buf) {
		n := s.step(buf[i:])
		if n == 0 { // incomplete sequence: wait for more
			s.pending = append([]byte(nil), buf[i:]...)
			break
		}
		i += n
	}
	return len(p), nil
}

// step consumes one character or sequence from b and returns its length, 0 if incomplete.
func (s *Screen) step(b []byte) int {
	switch c := b[0]; {
	case c == 0x1b:
		return s.escape(b)
	case c == '\r':
		s.x, s.wrapNext = 0, false
	case c == '\n', c == 0x0b, c == 0x0c:
		s.lineFeed()
	case c == '\b':
		s.x, s.wrapNext = max(0, s.x-1), false
	case c == '\t':
		s.x = min(s.w-1, (s.x/8+1)*8)
	case c < 0x20 || c == 0x7f:
	default:
		if !utf8.FullRune(b) {
			return 0
		}
		r, n := utf8.DecodeRune(b)
		s.put(r)
		return n
	}
	return 1
}

func (s *Screen) put(r rune) {
	if s.wrapNext {
		s.x, s.wrapNext = 0, false
		s.lineFeed()
	}
	s.grid[s.y][s.x] = r
	s.last = r
	if s.x == s.w-1 {
		s.wrapNext = true
	} else {
		s.x++
	}
}

func (s *Screen) lineFeed() {
	s.wrapNext = false
	if s.y == s.bot {
		s.scrollUp(1)
		return
	}
	s.y = min(s.h-1, s.y+1)
}

func (s *Screen) scrollUp(n int) {
	for range n {
		copy(s.grid[s.top:s.bot], s.grid[s.top+1:s.bot+1])
		s.grid[s.bot] = []rune(strings.Repeat(" ", s.w))
	}
}

func (s *Screen) scrollDown(n int) {
	for range n {
		copy(s.grid[s.top+1:s.bot+1], s.grid[s.top:s.bot])
		s.grid[s.top] = []rune(strings.Repeat(" ", s.w))
	}
}

// escape handles ESC sequences: CSI, OSC, DCS/APC (skipped) and the two-byte ones.
func (s *Screen) escape(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	switch b[1] {
	case '[':
		return s.csi(b)
	case ']', 'P', '_', '^':
		// String sequences end with BEL or ST (ESC \).
		for i := 2; i < len(b); i++ {
			if b[i] == 0x07 {
				return i + 1
			}
			if b[i] == 0x1b && i+1 < len(b) && b[i+1] == '\\' {
				return i + 2
			}
		}
		return 0
	case '7':
		s.saveX, s.saveY = s.x, s.y
	case '8':
		s.x, s.y, s.wrapNext = s.saveX, s.saveY, false
	case 'M': // reverse index
		if s.y == s.top {
			s.scrollDown(1)
		} else {
			s.y = max(0, s.y-1)
		}
	case 'D':
		s.lineFeed()
	case 'E':
		s.x = 0
		s.lineFeed()
	case '(', ')', '*', '+', '#', ' ':
		if len(b) < 3 {
			return 0
		}
		return 3
	}
	return 2
}

func (s *Screen) csi(b []byte) int {
	end := -1
	for i := 2; i < len(b); i++ {
		if b[i] >= 0x40 && b[i] <= 0x7e {
			end = i
			break
		}
	}
	if end < 0 {
		return 0
	}
	body, final := string(b[2:end]), b[end]
	private := strings.ContainsAny(body, "?<>=")
	body = strings.TrimLeft(body, "?<>=")
	body = strings.TrimRight(body, " $\"'!")
	var ps []int
	for _, f := range strings.Split(body, ";") {
		f, _, _ = strings.Cut(f, ":")
		n, _ := strconv.Atoi(f)
		ps = append(ps, n)
	}
	p := func(i, def int) int {
		if i < len(ps) && ps[i] > 0 {
			return ps[i]
		}
		return def
	}
	if private {
		if (final == 'h' || final == 'l') && (p(0, 0) == 1049 || p(0, 0) == 47 || p(0, 0) == 1047) {
			s.setAlt(final == 'h')
		}
		return end + 1
	}
	s.wrapNext = false
	switch final {
	case 'A':
		s.y = max(s.top, s.y-p(0, 1))
	case 'B', 'e':
		s.y = min(s.bot, s.y+p(0, 1))
	case 'C', 'a':
		s.x = min(s.w-1, s.x+p(0, 1))
	case 'D':
		s.x = max(0, s.x-p(0, 1))
	case 'E':
		s.x, s.y = 0, min(s.bot, s.y+p(0, 1))
	case 'F':
		s.x, s.y = 0, max(s.top, s.y-p(0, 1))
	case 'G', '`':
		s.x = min(s.w-1, p(0, 1)-1)
	case 'd':
		s.y = min(s.h-1, p(0, 1)-1)
	case 'H', 'f':
		s.y, s.x = min(s.h-1, p(0, 1)-1), min(s.w-1, p(1, 1)-1)
	case 'J':
		s.eraseDisplay(p(0, 0))
	case 'K':
		s.eraseLine(p(0, 0))
	case 'X':
		for i := s.x; i < min(s.w, s.x+p(0, 1)); i++ {
			s.grid[s.y][i] = ' '
		}
	case '@':
		n := min(p(0, 1), s.w-s.x)
		row := s.grid[s.y]
		copy(row[s.x+n:], row[s.x:s.w-n])
		for i := s.x; i < s.x+n; i++ {
			row[i] = ' '
		}
	case 'P':
		n := min(p(0, 1), s.w-s.x)
		row := s.grid[s.y]
		copy(row[s.x:], row[s.x+n:])
		for i := s.w - n; i < s.w; i++ {
			row[i] = ' '
		}
	case 'L', 'M':
		if s.y >= s.top && s.y <= s.bot {
			top := s.top
			s.top = s.y
			if final == 'L' {
				s.scrollDown(p(0, 1))
			} else {
				s.scrollUp(p(0, 1))
			}
			s.top = top
		}
	case 'S':
		s.scrollUp(p(0, 1))
	case 'T':
		s.scrollDown(p(0, 1))
	case 'r':
		s.top, s.bot = p(0, 1)-1, min(s.h, p(1, s.h))-1
		s.x, s.y = 0, 0
	case 'b':
		for range p(0, 1) {
			s.put(s.last)
		}
	case 's':
		s.saveX, s.saveY = s.x, s.y
	case 'u':
		s.x, s.y = s.saveX, s.saveY
	}
	return end + 1
}

func (s *Screen) eraseLine(mode int) {
	from, to := s.x, s.w
	switch mode {
	case 1:
		from, to = 0, s.x+1
	case 2:
		from = 0
	}
	for i := from; i < min(to, s.w); i++ {
		s.grid[s.y][i] = ' '
	}
}

func (s *Screen) eraseDisplay(mode int) {
	switch mode {
	case 0:
		s.eraseLine(0)
		for y := s.y + 1; y < s.h; y++ {
			s.grid[y] = []rune(strings.Repeat(" ", s.w))
		}
	case 1:
		s.eraseLine(1)
		for y := 0; y < s.y; y++ {
			s.grid[y] = []rune(strings.Repeat(" ", s.w))
		}
	case 2, 3:
		for y := range s.grid {
			s.grid[y] = []rune(strings.Repeat(" ", s.w))
		}
	}
}

func (s *Screen) setAlt(on bool) {
	if on == s.altActive {
		return
	}
	s.altActive = on
	if on {
		s.altEntered = true
		s.saveX, s.saveY = s.x, s.y
		s.alt = blank(s.w, s.h)
		s.grid = s.alt
		return
	}
	s.grid = s.main
	s.x, s.y = s.saveX, s.saveY
}

// TestScreen checks the emulator the end-to-end test reads the workbench with.

// Size returns the screen's width and height.
func (s *Screen) Size() (w, h int) { return s.w, s.h }

// AltScreen reports whether the program entered the alternate screen at some point, and
// whether it is still in it (a program that quits cleanly leaves it).
func (s *Screen) AltScreen() (entered, active bool) { return s.altEntered, s.altActive }
