package browser

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/views/common"
)

// Browser is the Datasets pane.
type Browser struct {
	c    *common.Common
	keys KeyMap
	sets []*set
	cur  int // the dataset shown
	w, h int
	// filtering is set while the filter line takes typed text.
	filtering bool
	// previewed is set once a dataset's first item went to the inspector unasked.
	previewed bool
}

var (
	_ common.Component     = (*Browser)(nil)
	_ common.InputCapturer = (*Browser)(nil)
)

type loadState int

const (
	stateDemo    loadState = iota // generating (or finding) the demo dataset
	stateOpening                  // dataset.Open is running
	stateReady
	stateFailed
)

// set is one dataset the pane shows, from the moment it is asked for.
type set struct {
	name  string // what the header calls it
	root  string // "" for the demo until it is generated
	demo  bool
	state loadState
	err   error

	cat    *dataset.Catalog
	info   summary
	filter string
	// listing is the list on show: the items, or the pairs while showPairs is set; other is
	// the one put away.
	listing
	other     listing
	showPairs bool

	// The split on show: specs[spec], computed in a command (split is nil until it arrives).
	specs     []string
	spec      int
	split     *splitInfo
	splitErr  error
	splitting bool
	// only keeps the items of one part of the split ("" keeps all).
	only string
}

// listing is one filterable list: the items, or the pairs.
type listing struct {
	search  []string // per entry: lower-case text the filter matches
	visible []int    // indices into cat.Items (cat.Pairs) that pass the filters
	cursor  int      // position in visible
	offset  int      // first visible row drawn
}

// summary holds what the header shows, computed once when the catalog arrives so that View
// never walks the items.
type summary struct {
	line    string // layout, task, counts, durations, rates
	classes []dataset.Class
	maxName int // longest class name
	labelW  int // widest label in the items (capped)
	groupW  int // widest group (capped)
	idW     int // widest ID (capped)
}

// demoMsg reports the demo dataset's folder (or why it could not be made).
type demoMsg struct {
	set  int
	root string
	err  error
}

// openedMsg carries an opened catalog (or the error) back to the pane.
type openedMsg struct {
	set int
	cat *dataset.Catalog
	err error
}

// New returns the Datasets pane for the given folders; with none it opens the demo dataset.
func New(c *common.Common, roots []string) *Browser {
	b := &Browser{c: c, keys: DefaultKeyMap()}
	if len(roots) == 0 {
		b.sets = []*set{{name: "demo", demo: true, state: stateDemo}}
	}
	for _, r := range roots {
		b.sets = append(b.sets, &set{name: filepath.Base(filepath.Clean(r)), root: r, state: stateOpening})
	}
	return b
}

// ID implements common.Component.
func (b *Browser) ID() string { return common.PaneDatasets }

// Title implements common.Component.
func (b *Browser) Title() string { return "Datasets" }

// SetSize implements common.Component.
func (b *Browser) SetSize(w, h int) {
	b.w, b.h = w, h
	b.scroll()
}

// CapturesInput implements common.InputCapturer: the filter line takes every key while open.
func (b *Browser) CapturesInput() bool { return b.filtering }

// Init starts opening every dataset.
func (b *Browser) Init() tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(b.sets))
	for i := range b.sets {
		cmds = append(cmds, b.load(i))
	}
	return tea.Batch(cmds...)
}

// load returns the command that brings set i to the ready state.
func (b *Browser) load(i int) tea.Cmd {
	s := b.sets[i]
	if s.demo && s.root == "" {
		s.state = stateDemo
		demoFn := b.c.Engine.Demo
		return func() tea.Msg {
			root, err := demoFn()
			return demoMsg{set: i, root: root, err: err}
		}
	}
	s.state, s.err = stateOpening, nil
	open, root, log := b.c.Engine.Open, s.root, b.c.Logger
	return func() tea.Msg {
		start := time.Now()
		cat, err := open(dataset.Spec{Root: root})
		log.Debug("dataset opened", "root", root, "took", time.Since(start), "err", err)
		return openedMsg{set: i, cat: cat, err: err}
	}
}

// Update implements common.Component.
func (b *Browser) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case demoMsg:
		s := b.sets[msg.set]
		if msg.err != nil {
			s.state, s.err = stateFailed, msg.err
			return b, nil
		}
		s.root = msg.root
		return b, b.load(msg.set)
	case openedMsg:
		return b, b.opened(msg)
	case splitMsg:
		s := b.sets[msg.set]
		if msg.cat != s.cat || len(s.specs) == 0 || msg.spec != s.specs[s.spec] {
			return b, nil // a split of a catalog or spec no longer shown
		}
		s.split, s.splitErr, s.splitting = msg.info, msg.err, false
		if !slices.Contains(s.onlyChoices(), s.only) {
			s.only = ""
		}
		s.refilter()
		b.scroll()
		return b, nil
	case tea.KeyPressMsg:
		if b.filtering {
			return b, b.filterKey(msg)
		}
		return b, b.key(msg)
	case common.ClickMsg:
		return b, b.click(msg)
	}
	return b, nil
}

// click selects the item or pair clicked in the list; a click on the one selected opens it
// in the Inspector, as enter does.
func (b *Browser) click(msg common.ClickMsg) tea.Cmd {
	s := b.current()
	if s.state != stateReady || b.filtering {
		return nil
	}
	g := b.geometry()
	row := msg.Y - g.listTop
	if msg.X < g.listX || row < 0 || row >= g.listRows {
		return nil
	}
	i := s.offset + row
	if i >= len(s.visible) {
		return nil
	}
	if i == s.cursor {
		return b.openItem(s, true)
	}
	s.cursor = i
	b.scroll()
	return nil
}

func (b *Browser) opened(msg openedMsg) tea.Cmd {
	s := b.sets[msg.set]
	if msg.err != nil {
		s.state, s.err = stateFailed, msg.err
		return nil
	}
	s.state, s.cat = stateReady, msg.cat
	s.info = summarize(msg.cat)
	items := listing{search: make([]string, len(msg.cat.Items))}
	for i, it := range msg.cat.Items {
		items.search[i] = strings.ToLower(it.ID + " " + it.Label + " " + it.Group)
	}
	pairs := listing{search: make([]string, len(msg.cat.Pairs))}
	for i, p := range msg.cat.Pairs {
		pairs.search[i] = strings.ToLower(msg.cat.Items[p.A].ID + " " + msg.cat.Items[p.B].ID + " " + sameText(p.Same))
	}
	s.listing, s.other, s.showPairs = items, pairs, false
	s.specs, s.spec, s.split, s.splitErr, s.only = splitSpecs(msg.cat), 0, nil, nil, ""
	s.applyFilter()
	split := b.computeSplit(msg.set)
	// The run panes learn of every opened dataset: Train offers it, Errors finds files in it.
	opened := common.CatalogMsg{Spec: dataset.Spec{Root: s.root}, Catalog: msg.cat}
	announce := func() tea.Msg { return opened }
	if b.previewed || msg.set != b.cur || len(s.visible) == 0 {
		return tea.Batch(announce, split)
	}
	// The inspector gets the first item of the dataset on show once it opens, so that it has
	// something to show as soon as the user turns to it.
	b.previewed = true
	return tea.Batch(announce, b.openItem(s, false), split)
}

func (b *Browser) openItem(s *set, focus bool) tea.Cmd {
	msg := common.OpenItemMsg{
		Catalog: s.cat, Items: append([]int(nil), s.visible...), Index: s.cursor, Focus: focus,
		Pairs: s.showPairs,
	}
	return func() tea.Msg { return msg }
}

// sameText says whether a pair shares an identity.
func sameText(same bool) string {
	if same {
		return "same"
	}
	return "different"
}

func (b *Browser) key(msg tea.KeyPressMsg) tea.Cmd {
	s := b.current()
	switch {
	case key.Matches(msg, b.keys.PrevSet):
		b.cur = (b.cur + len(b.sets) - 1) % len(b.sets)
		b.scroll()
		return nil
	case key.Matches(msg, b.keys.NextSet):
		b.cur = (b.cur + 1) % len(b.sets)
		b.scroll()
		return nil
	case key.Matches(msg, b.keys.Reload):
		if s.state == stateReady || s.state == stateFailed {
			return b.load(b.cur)
		}
	}
	if s.state != stateReady {
		return nil
	}
	page := max(1, b.listRows()-1)
	switch {
	case key.Matches(msg, b.keys.Up):
		s.cursor--
	case key.Matches(msg, b.keys.Down):
		s.cursor++
	case key.Matches(msg, b.keys.PageUp):
		s.cursor -= page
	case key.Matches(msg, b.keys.PageDown):
		s.cursor += page
	case key.Matches(msg, b.keys.Top):
		s.cursor = 0
	case key.Matches(msg, b.keys.Bottom):
		s.cursor = len(s.visible) - 1
	case key.Matches(msg, b.keys.Filter):
		b.filtering = true
	case key.Matches(msg, b.keys.ClearFilter):
		if s.filter != "" {
			s.filter = ""
			s.applyFilter()
		}
	case key.Matches(msg, b.keys.Open):
		if len(s.visible) > 0 {
			return b.openItem(s, true)
		}
	case key.Matches(msg, b.keys.NextSplit), key.Matches(msg, b.keys.PrevSplit):
		if len(s.specs) < 2 {
			return nil
		}
		d := 1
		if key.Matches(msg, b.keys.PrevSplit) {
			d = len(s.specs) - 1
		}
		s.spec = (s.spec + d) % len(s.specs)
		return b.computeSplit(b.cur)
	case key.Matches(msg, b.keys.OnlySplit):
		choices := s.onlyChoices()
		s.only = choices[(slices.Index(choices, s.only)+1)%len(choices)]
		s.refilter()
	case key.Matches(msg, b.keys.Pairs):
		if len(s.cat.Pairs) == 0 {
			return nil
		}
		s.listing, s.other = s.other, s.listing
		s.showPairs = !s.showPairs
		s.refilter()
	}
	b.scroll()
	return nil
}

func (b *Browser) filterKey(msg tea.KeyPressMsg) tea.Cmd {
	s := b.current()
	switch {
	case key.Matches(msg, b.keys.ApplyFilter):
		b.filtering = false
		return nil
	case key.Matches(msg, b.keys.CancelFilter):
		b.filtering = false
		s.filter = ""
	case key.Matches(msg, b.keys.EraseRune):
		if r := []rune(s.filter); len(r) > 0 {
			s.filter = string(r[:len(r)-1])
		}
	case key.Matches(msg, b.keys.EraseAll):
		s.filter = ""
	case key.Matches(msg, b.keys.Up):
		if msg.Text == "" { // arrows move; "k" is typed
			s.cursor--
			b.scroll()
			return nil
		}
		s.filter += msg.Text
	case key.Matches(msg, b.keys.Down):
		if msg.Text == "" {
			s.cursor++
			b.scroll()
			return nil
		}
		s.filter += msg.Text
	default:
		if msg.Text == "" {
			return nil
		}
		s.filter += msg.Text
	}
	if s.state == stateReady {
		s.applyFilter()
	}
	b.scroll()
	return nil
}

func (b *Browser) current() *set { return b.sets[b.cur] }

// applyFilter keeps the items whose ID, label or group contain every word of the filter (the
// pairs whose items' IDs or "same"/"different" do), in the part of the split chosen by only,
// and puts the cursor on the first.
func (s *set) applyFilter() {
	s.filterList()
	s.cursor, s.offset = 0, 0
}

// refilter applies the filters again, keeping the cursor on the entry it was on when that
// entry still passes.
func (s *set) refilter() {
	was := -1
	if s.cursor >= 0 && s.cursor < len(s.visible) {
		was = s.visible[s.cursor]
	}
	s.filterList()
	s.cursor = max(0, slices.Index(s.visible, was))
}

func (s *set) filterList() {
	words := strings.Fields(strings.ToLower(s.filter))
	s.visible = s.visible[:0]
	for i, text := range s.search {
		if s.only != "" && s.part(i, s.showPairs) != s.only {
			continue
		}
		keep := true
		for _, w := range words {
			if !strings.Contains(text, w) {
				keep = false
				break
			}
		}
		if keep {
			s.visible = append(s.visible, i)
		}
	}
}

// scroll keeps the cursor within the list and the list window around the cursor.
func (b *Browser) scroll() {
	if len(b.sets) == 0 {
		return
	}
	s := b.current()
	s.cursor = max(0, min(s.cursor, len(s.visible)-1))
	rows := b.listRows()
	if rows <= 0 {
		return
	}
	if s.cursor < s.offset {
		s.offset = s.cursor
	}
	if s.cursor >= s.offset+rows {
		s.offset = s.cursor - rows + 1
	}
	s.offset = max(0, min(s.offset, len(s.visible)-rows))
}

// summarize computes the header facts of a catalog once.
func summarize(cat *dataset.Catalog) summary {
	var sum summary
	parts := []string{"layout " + cat.Layout, "task " + string(cat.Task), plural(len(cat.Items), "item")}
	if len(cat.Classes) > 0 {
		parts = append(parts, plural(len(cat.Classes), "class"))
	}
	if g := cat.Groups(); len(g) > 0 {
		parts = append(parts, plural(len(g), "group"))
	}
	if len(cat.Pairs) > 0 {
		same, diff := cat.SameDifferent()
		parts = append(parts, fmt.Sprintf("pairs %d same / %d different", same, diff))
	}
	if len(cat.Targets) > 0 {
		parts = append(parts, "targets "+strings.Join(cat.Targets, ","))
	}
	if lo, med, hi := cat.Durations(); hi > 0 {
		parts = append(parts, fmt.Sprintf("%s-%s s (median %s)", secs(lo), secs(hi), secs(med)))
	}
	if rates := cat.SampleRates(); len(rates) > 0 {
		keys := make([]int, 0, len(rates))
		for r := range rates {
			keys = append(keys, r)
		}
		sort.Ints(keys)
		rs := make([]string, len(keys))
		for i, r := range keys {
			rs[i] = fmt.Sprintf("%d Hz", r)
			if len(keys) > 1 {
				rs[i] += fmt.Sprintf(" x%d", rates[r])
			}
		}
		parts = append(parts, strings.Join(rs, ", "))
	}
	sum.line = strings.Join(parts, " | ")
	sum.classes = cat.Classes
	for _, c := range cat.Classes {
		sum.maxName = max(sum.maxName, len([]rune(c.Name)))
	}
	for _, it := range cat.Items {
		sum.idW = max(sum.idW, len([]rune(it.ID)))
		sum.labelW = max(sum.labelW, len([]rune(it.Label)))
		sum.groupW = max(sum.groupW, len([]rune(it.Group)))
	}
	sum.labelW, sum.groupW = min(sum.labelW, 16), min(sum.groupW, 12)
	return sum
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "s") {
		return fmt.Sprintf("%d %ses", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// secs writes a duration as seconds with two decimals ("2.00").
func secs(d time.Duration) string { return fmt.Sprintf("%.2f", d.Seconds()) }

// ShortHelp implements help.KeyMap: the footer's keys.
func (b *Browser) ShortHelp() []key.Binding {
	if b.filtering {
		return []key.Binding{b.keys.ApplyFilter, b.keys.CancelFilter, b.keys.EraseAll}
	}
	keys := []key.Binding{b.keys.Open, b.keys.Filter, b.keys.NextSplit, b.keys.OnlySplit}
	if s := b.current(); s.cat != nil && len(s.cat.Pairs) > 0 {
		keys = append(keys, b.keys.Pairs)
	}
	if len(b.sets) > 1 {
		keys = append(keys, b.keys.NextSet)
	}
	return keys
}

// FullHelp implements help.KeyMap: every key of the pane, by column.
func (b *Browser) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{b.keys.Up, b.keys.Down, b.keys.PageUp, b.keys.PageDown, b.keys.Top, b.keys.Bottom},
		{b.keys.Open, b.keys.Filter, b.keys.ClearFilter, b.keys.EraseRune, b.keys.EraseAll},
		{b.keys.NextSplit, b.keys.PrevSplit, b.keys.OnlySplit, b.keys.Pairs},
		{b.keys.PrevSet, b.keys.NextSet, b.keys.Reload},
	}
}
