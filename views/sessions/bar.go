package sessions

import (
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/hark-audio/hark/sessions/playback"
	"github.com/hark-audio/hark/views/common"
)

// Bar is the playback bar: one line over the footer while a session plays back, with the
// playback keys, which work in every pane (space only in the Monitor, where nothing else
// takes it). The root draws it, hands it key presses before the focused pane, and every
// message.
type Bar struct {
	c    *common.Common
	deck *playback.Deck
	keys BarKeyMap
	st   playback.State
	on   bool
	gen  int
	p    *playback.Player
}

// NewBar returns the playback bar of deck (nil: never shown).
func NewBar(c *common.Common, deck *playback.Deck) *Bar {
	b := &Bar{c: c, deck: deck, keys: DefaultBarKeyMap()}
	b.refresh()
	return b
}

// Shown says whether a session plays back (the bar takes a line).
func (b *Bar) Shown() bool { return b.on }

// State is the active player's state.
func (b *Bar) State() playback.State { return b.st }

// refresh reads the active player's state; it reports whether the player went backwards
// since the last look.
func (b *Bar) refresh() (back bool) {
	if b.deck == nil {
		return false
	}
	p := b.deck.Active()
	if p == nil {
		b.on = false
		return false
	}
	st := p.State()
	back = p == b.p && st.Gen != b.gen
	b.p, b.st, b.gen, b.on = p, st, st.Gen, true
	return back
}

// Init brings the Monitor to the front on the first run when the workbench opens on a
// playback (hark replay).
func (b *Bar) Init() tea.Cmd {
	if !b.on || len(b.p.RunIDs()) == 0 {
		return nil
	}
	run := b.p.RunIDs()[0]
	return func() tea.Msg { return common.ShowRunMsg{RunID: run, Pane: common.PaneMonitor} }
}

// Update follows the player's state; every message may come with a change.
func (b *Bar) Update(tea.Msg) tea.Cmd {
	b.refresh()
	return nil
}

// HandleKey acts on a playback key; ok is false for other keys, which go to the focused pane.
func (b *Bar) HandleKey(msg tea.KeyPressMsg, focused string) (cmd tea.Cmd, ok bool) {
	if !b.on {
		return nil, false
	}
	k, p := &b.keys, b.p
	switch {
	case key.Matches(msg, k.Pause), focused == common.PaneMonitor && key.Matches(msg, k.MonitorStop):
		p.Toggle()
	case key.Matches(msg, k.PrevEpoch):
		p.Step(-1)
	case key.Matches(msg, k.NextEpoch):
		p.Step(1)
	case key.Matches(msg, k.Start):
		p.Restart()
	case key.Matches(msg, k.End):
		p.End()
	case key.Matches(msg, k.Faster):
		p.SetSpeed(min(10000, b.st.Speed*2))
	case key.Matches(msg, k.Slower):
		p.SetSpeed(max(0.25, b.st.Speed/2))
	default:
		return nil, false
	}
	if b.refresh() {
		return func() tea.Msg { return ResetRunsMsg{} }, true
	}
	return nil, true
}

// View draws the bar in one line of w cells.
func (b *Bar) View(w int) string {
	if !b.on {
		return ""
	}
	st, s := &b.c.Styles, b.st
	state := "▶ playing"
	switch {
	case s.Ended:
		state = "■ ended"
	case s.Paused:
		state = "‖ paused"
	}
	if st.ASCII {
		state = map[string]string{"▶ playing": "> playing", "■ ended": "[] ended", "‖ paused": "|| paused"}[state]
	}
	where := s.Name
	if s.Run != "" {
		where = s.Run
		if s.Epochs > 0 {
			where += fmt.Sprintf(" epoch %d/%d", s.Epoch, s.Epochs)
		}
	}
	left := fmt.Sprintf(" %s x%s  %s  %s / %s ", state, speed(s.Speed), where, clock(s.At), clock(s.Total))
	var keys string
	barW := 0
	for _, keys = range []string{"  < > epoch  P pause  ( ) start/end  F S speed", "  < > P ( ) F S", ""} {
		if barW = w - len([]rune(left)) - len(keys); barW >= 12 {
			break
		}
	}
	line := st.Label.Render(left)
	if barW >= 4 {
		frac := 0.0
		if s.Len > 0 {
			frac = float64(s.Pos) / float64(s.Len)
		}
		line += "[" + st.BarOf(frac, barW-2) + "]"
	}
	return common.Pad(line+st.Subtle.Render(keys), w)
}

func speed(x float64) string {
	if x == float64(int(x)) {
		return fmt.Sprintf("%d", int(x))
	}
	return fmt.Sprintf("%g", x)
}

// clock writes a duration as m:ss, or h:mm:ss from an hour.
func clock(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// ShortHelp implements help.KeyMap.
func (b *Bar) ShortHelp() []key.Binding {
	k := &b.keys
	return []key.Binding{k.PrevEpoch, k.NextEpoch, k.Pause}
}

// FullHelp implements help.KeyMap.
func (b *Bar) FullHelp() [][]key.Binding {
	k := &b.keys
	return [][]key.Binding{{k.Pause, k.MonitorStop, k.PrevEpoch, k.NextEpoch, k.Start, k.End, k.Faster, k.Slower}}
}
