package tuitest

import "testing"

func TestScreen(t *testing.T) {
	s := NewScreen(10, 4)
	feed := func(in string) { s.Write([]byte(in)) }
	feed("hello\r\nworld")
	feed("\x1b[1;3HX")          // CUP
	feed("\x1b[2;1H\x1b[2@")    // insert two blanks
	feed("\x1b[4;1Habcdefghij") // fill the last line: the cursor waits at the edge
	feed("\x1b[3;2H-\x1b[3b")   // repeat the dash three times
	feed("\x1b[1;9H\x1b[K")     // erase to the end of line
	if got, want := s.Text(), "heXlo\n  world\n ----\nabcdefghij"; got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
	feed("\x1b[4;10Hjk") // the k wraps at the bottom: the screen scrolls
	if got, want := s.Text(), "  world\n ----\nabcdefghij\nk"; got != want {
		t.Errorf("after wrap and scroll:\n%s\nwant:\n%s", got, want)
	}
	feed("\x1b[?1049h")
	if !s.altActive || s.Text() != "\n\n\n" {
		t.Errorf("alternate screen not blank: %q", s.Text())
	}
	feed("alt\x1b]2;title\x07\x1b[?1049")
	feed("l") // a sequence split across writes
	if s.altActive || s.Text() != "  world\n ----\nabcdefghij\nk" {
		t.Errorf("main screen not restored: %q", s.Text())
	}
}
