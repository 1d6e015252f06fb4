package tui

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/views/browser"
	"github.com/hark-audio/hark/views/common"
	"github.com/hark-audio/hark/views/errors"
	"github.com/hark-audio/hark/views/inspector"
	"github.com/hark-audio/hark/views/monitor"
	"github.com/hark-audio/hark/views/results"
	"github.com/hark-audio/hark/views/trainform"
)

// Options configure a workbench. The zero value opens the demo dataset in plain ASCII with the
// real engine and no log.
type Options struct {
	// Data are the dataset folders to open; none opens the built-in demo dataset.
	Data []string
	// Profile is the colour profile to draw for (the terminal's, or an SSH session's).
	Profile colorprofile.Profile
	// Logger receives debug records; nil discards them.
	Logger *slog.Logger
	// Engine replaces the real engine (tests, servers); fields left nil keep the real ones.
	// The run calls (Start, Stop, Runs, History, Watch) have no default: without them the run
	// panes say that this workbench cannot train.
	Engine common.Engine
	// ReadOnly lets the user watch runs but not start or stop them (a read-only SSH key).
	ReadOnly bool
}

// Minimum size the workbench draws its panes in; below it, it says so.
const (
	minWidth  = 40
	minHeight = 10
)

// Model is the workbench's root model: a tab bar of panes, the focused pane, and a footer of
// keys. It handles the global keys and the window size, hands input to the focused pane and
// every other message to all panes, since a command's result belongs to the pane that started
// it whether or not that pane still has the focus.
type Model struct {
	c        *common.Common
	cancel   context.CancelFunc
	panes    []common.Component
	focus    int
	showHelp bool

	// The engine's run events (see runs.go).
	watch     <-chan train.Event
	endWatch  func()
	interval  time.Duration
	delivered int // deliveries of run events so far
}

var _ tea.Model = (*Model)(nil)

// New returns the workbench with its panes. ctx bounds the commands it starts; the workbench
// also cancels it when it quits.
func New(ctx context.Context, opt Options) *Model {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithCancel(ctx)
	c := common.NewCommon(ctx, opt.Profile)
	if opt.Logger != nil {
		c.Logger = opt.Logger
	}
	if opt.Engine.Open != nil {
		c.Engine.Open = opt.Engine.Open
	}
	if opt.Engine.Extract != nil {
		c.Engine.Extract = opt.Engine.Extract
	}
	if opt.Engine.Demo != nil {
		c.Engine.Demo = opt.Engine.Demo
	}
	c.Engine.Start, c.Engine.Stop, c.Engine.Runs = opt.Engine.Start, opt.Engine.Stop, opt.Engine.Runs
	c.Engine.History, c.Engine.Watch = opt.Engine.History, opt.Engine.Watch
	c.ReadOnly = opt.ReadOnly
	m := &Model{
		c:      c,
		cancel: cancel,
		panes: []common.Component{
			browser.New(c, opt.Data), inspector.New(c),
			trainform.New(c), monitor.New(c), results.New(c), errors.New(c),
		},
		interval: frameInterval,
	}
	// Until the terminal reports its size, draw for the classic one.
	m.resize(80, 24)
	return m
}

// Focused returns the ID of the pane in front.
func (m *Model) Focused() string { return m.panes[m.focus].ID() }

// Init starts every pane's first commands (opening the datasets).
func (m *Model) Init() tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(m.panes)+1)
	for _, p := range m.panes {
		cmds = append(cmds, p.Init())
	}
	if m.c.Engine.Watch != nil {
		cmds = append(cmds, startWatch(m.c.Ctx, m.c.Engine.Watch))
	}
	return tea.Batch(cmds...)
}

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if cmd, ok := m.events(msg); ok {
		return m, cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return m, nil
	case tea.ColorProfileMsg:
		if msg.Profile != m.c.Profile {
			m.c.SetProfile(msg.Profile)
		}
		return m, nil
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case tea.MouseMsg, tea.PasteMsg:
		return m, m.toFocused(msg)
	case common.OpenItemMsg:
		if msg.Focus {
			m.focusID(common.PaneInspector)
		}
	case common.ShowErrorsMsg:
		if msg.Focus {
			m.focusID(common.PaneErrors)
		}
	case common.ShowRunMsg:
		if msg.Pane != "" {
			m.focusID(msg.Pane)
		}
	}
	return m, m.toAll(msg)
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.c.Keys
	if key.Matches(msg, k.ForceQuit) {
		return m.quit()
	}
	if ic, ok := m.panes[m.focus].(common.InputCapturer); ok && ic.CapturesInput() {
		return m.toFocused(msg)
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help):
		m.showHelp = !m.showHelp
		return nil
	case m.showHelp && key.Matches(msg, k.Back):
		m.showHelp = false
		return nil
	case key.Matches(msg, k.NextPane):
		m.setFocus((m.focus + 1) % len(m.panes))
		return nil
	case key.Matches(msg, k.PrevPane):
		m.setFocus((m.focus + len(m.panes) - 1) % len(m.panes))
		return nil
	case key.Matches(msg, k.GoToPane):
		if n := int(msg.Code - '1'); n >= 0 && n < len(m.panes) {
			m.setFocus(n)
		}
		return nil
	}
	return m.toFocused(msg)
}

func (m *Model) quit() tea.Cmd {
	m.cancel()
	return tea.Quit
}

func (m *Model) setFocus(i int) {
	if i != m.focus {
		m.focus = i
		m.showHelp = false
	}
}

func (m *Model) focusID(id string) {
	for i, p := range m.panes {
		if p.ID() == id {
			m.setFocus(i)
		}
	}
}

func (m *Model) toFocused(msg tea.Msg) tea.Cmd {
	p, cmd := m.panes[m.focus].Update(msg)
	m.panes[m.focus] = p
	return cmd
}

func (m *Model) toAll(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(m.panes))
	for i, p := range m.panes {
		var cmd tea.Cmd
		m.panes[i], cmd = p.Update(msg)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

// resize gives every pane the box between the tab bar and the footer.
func (m *Model) resize(w, h int) {
	m.c.Width, m.c.Height = w, h
	for _, p := range m.panes {
		p.SetSize(w, max(0, h-2))
	}
}

// View implements tea.Model: the whole screen in the alternate buffer.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.WindowTitle = "hark"
	return v
}

// Render draws the screen as text: the tab bar, the focused pane (or its help) and the footer,
// in exactly the terminal's size.
func (m *Model) Render() string {
	w, h := m.c.Width, m.c.Height
	if w < minWidth || h < minHeight {
		msg := fmt.Sprintf("hark needs at least %dx%d cells (this is %dx%d)", minWidth, minHeight, w, h)
		return common.Fit(ansi.Wordwrap(msg, max(1, w), " "), w, h)
	}
	var b strings.Builder
	b.WriteString(m.tabBar())
	b.WriteByte('\n')
	if m.showHelp {
		b.WriteString(m.fullHelp(h - 2))
	} else {
		b.WriteString(m.panes[m.focus].View())
	}
	b.WriteByte('\n')
	b.WriteString(m.footer())
	return b.String()
}

func (m *Model) tabBar() string {
	st := &m.c.Styles
	parts := []string{st.Brand.Render("hark")}
	for i, p := range m.panes {
		label := fmt.Sprintf("%d %s", i+1, p.Title())
		switch {
		case i == m.focus && st.ASCII:
			parts = append(parts, "["+label+"]")
		case i == m.focus:
			parts = append(parts, st.TabActive.Render(" "+label+" "))
		default:
			parts = append(parts, st.TabInactive.Render(" "+label+" "))
		}
	}
	return common.Pad(" "+strings.Join(parts, " "), m.c.Width)
}

func (m *Model) footer() string {
	h := m.c.Styles.Help()
	h.SetWidth(m.c.Width - 1)
	keys := append(m.panes[m.focus].ShortHelp(), m.c.Keys.ShortHelp()...)
	return common.Pad(" "+h.ShortHelpView(keys), m.c.Width)
}

// fullHelp lists every key of the focused pane and the global ones in rows lines. The columns
// are packed into as many bands as the width needs, rather than cut at the right edge.
func (m *Model) fullHelp(rows int) string {
	st := &m.c.Styles
	h := st.Help()
	p := m.panes[m.focus]
	lines := []string{st.Title.Render("Keys of " + p.Title()), ""}
	var band []string
	bandW := 0
	flush := func() {
		if len(band) > 0 {
			lines = append(lines, strings.Split(lipgloss.JoinHorizontal(lipgloss.Top, band...), "\n")...)
			lines = append(lines, "")
		}
		band, bandW = nil, 0
	}
	for _, g := range append(p.FullHelp(), m.c.Keys.FullHelp()...) {
		col := h.FullHelpView([][]key.Binding{g})
		w := lipgloss.Width(col) + 4
		if bandW+w > m.c.Width-1 {
			flush()
		}
		band = append(band, " ", col, "   ")
		bandW += w
	}
	flush()
	lines = append(lines, st.Subtle.Render("? or esc closes this help"))
	return common.Fit(strings.Join(lines, "\n"), m.c.Width, rows)
}
