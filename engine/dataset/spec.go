package dataset

import "time"

// Layout names accepted by Spec.Layout and reported in Catalog.Layout.
const (
	LayoutFolders          = "folders"            // <class>/<file>, GTZAN's genres_original/<genre>/
	LayoutESC50            = "esc50"              // "NNN - Class"/F-ID-T.ogg
	LayoutSpeechCommands   = "speech-commands"    // word folders, list files, _background_noise_
	LayoutSpeechCommands12 = "speech-commands-12" // the classic 12-label keyword task
	LayoutFilename         = "filename"           // labels from file names by a regular expression
	LayoutFSDD             = "fsdd"               // the filename layout with the fsdd preset
	LayoutManifest         = "manifest"           // a CSV or JSON manifest
	LayoutMUStARD          = "mustard"            // data/sarcasm_data.json + utterances_final_wav/
	LayoutPairs            = "pairs"              // pair lists (LFW pairsDevTrain.txt, a b same)
)

// LayoutInfo names a layout and says what it looks like on disk.
type LayoutInfo struct {
	Name, About string
}

// Layouts lists the layouts in the order detection tries them.
func Layouts() []LayoutInfo {
	return []LayoutInfo{
		{LayoutSpeechCommands, "word folders, validation_list.txt, testing_list.txt, _background_noise_/"},
		{LayoutSpeechCommands12, "Speech Commands as the 12-label task: ten words, unknown, silence"},
		{LayoutMUStARD, "data/sarcasm_data.json with utterances_final_wav/{id}.wav (label: sarcasm)"},
		{LayoutPairs, "pair lists: LFW pairsDevTrain.txt/pairsDevTest.txt/pairs.txt, or lines 'a b same|different'"},
		{LayoutESC50, "ESC-50 folders 'NNN - Class' holding FOLD-CLIP-TAKE.ogg"},
		{LayoutFolders, "class folders: <class>/<file>, GTZAN's genres_original/<genre>/"},
		{LayoutManifest, "a CSV or JSON manifest naming id or path, label, targets, group"},
		{LayoutFSDD, "file names {digit}_{speaker}_{take}.wav (Free Spoken Digit Dataset)"},
		{LayoutFilename, "labels from file names by a regular expression with named groups"},
	}
}

// Spec says what to open and how. The zero value of every field but Root is a documented
// default: detect the layout, probe every file, apply no rules.
type Spec struct {
	// Root is the dataset folder (or a manifest or pair-list file).
	Root string `json:"root,omitempty"`
	// Layout forces a layout by name ("" detects it).
	Layout string `json:"layout,omitempty"`
	// Media picks the files that are the data: MediaAudio, MediaNpy (precomputed features) or
	// MediaImage; "" means audio when the tree holds any, else .npy.
	Media string `json:"media,omitempty"`

	// Regex labels files by name for the filename layout: a regular expression matched against
	// the whole base name, with named groups label (required), group, take and fold.
	Regex string `json:"regex,omitempty"`
	// Preset names a built-in Regex: "fsdd" is {digit}_{speaker}_{take}.wav.
	Preset string `json:"preset,omitempty"`

	// Manifest configures the manifest layouts; its zero value finds everything by the usual
	// field names.
	Manifest ManifestSpec `json:"manifest,omitzero"`

	// PairFiles are the pair lists for the pairs layout, relative to Root; empty finds
	// pairsDevTrain.txt, pairsDevTest.txt, pairs.txt and *pairs*.txt/.csv at the top level.
	PairFiles []string `json:"pair_files,omitempty"`

	// Keywords configures the Speech Commands 12-label task; it is built when Layout is
	// LayoutSpeechCommands12 or Keywords is not nil.
	Keywords *KeywordSpec `json:"keywords,omitempty"`

	// Rules merge, drop and ignore classes.
	Rules Rules `json:"rules,omitzero"`

	// Segments cuts every clip into fixed-length segments when Segments.Length > 0.
	Segments SegmentSpec `json:"segments,omitzero"`

	// Pairs, when not nil, turns a labelled catalog into a pair task (same speaker? same word?).
	Pairs *PairSpec `json:"pairs,omitempty"`

	// SkipProbe leaves durations and sample rates unknown and does not check that files can be
	// read: for a quick listing of a very large tree.
	SkipProbe bool `json:"skip_probe,omitempty"`
	// Workers bounds the parallel probing; 0 means all cores.
	Workers int `json:"workers,omitempty"`
}

// ManifestSpec names the manifest and its fields. Empty names are found by the usual column
// names (id, path/file/filename, label/class/category/genre, group/speaker, fold, take).
type ManifestSpec struct {
	// File is the manifest, relative to Root (or absolute); "" finds a .csv or .json at the top
	// level or in meta/ or data/.
	File  string `json:"file,omitempty"`
	ID    string `json:"id,omitempty"`
	Path  string `json:"path,omitempty"`
	Label string `json:"label,omitempty"`
	Group string `json:"group,omitempty"`
	Fold  string `json:"fold,omitempty"`
	Take  string `json:"take,omitempty"`
	// Targets are the regression target fields; empty takes the known names present
	// (valence, energy, danceability, arousal, ...).
	Targets []string `json:"targets,omitempty"`
	// PathTemplate builds a file's path from its id when the manifest has no path field, e.g.
	// "utterances_final_wav/{id}.wav"; "" looks for {id}.<audio extension> anywhere in the tree.
	PathTemplate string `json:"path_template,omitempty"`
}

// KeywordSpec configures the classic 12-label Speech Commands task: the target words keep their
// labels, "unknown" is sampled from the other words and "silence" is cut from background noise.
// Sampling is done per list-defined subset so that the task's subsets stay speaker-disjoint.
type KeywordSpec struct {
	// Words are the target words; empty means yes, no, up, down, left, right, on, off, stop, go.
	Words []string `json:"words,omitempty"`
	// UnknownShare is the number of "unknown" items as a fraction of the target-word items of
	// the same subset; 0 means 0.1 (TensorFlow's unknown_percentage 10), negative means none.
	UnknownShare float64 `json:"unknown_share,omitempty"`
	// SilenceCount is the total number of "silence" segments; 0 means a tenth of the
	// target-word items (TensorFlow's silence_percentage 10), negative means none.
	SilenceCount int `json:"silence_count,omitempty"`
	// SilenceLength is the length of a silence segment; 0 means one second.
	SilenceLength time.Duration `json:"silence_length,omitempty"`
	// Seed drives the sampling of unknown items and silence offsets.
	Seed uint64 `json:"seed,omitempty"`
}

// Rules change the classes: merge some, drop rare ones, skip folders. All are reported in
// Catalog.Applied.
type Rules struct {
	// Merge renames every class whose whole name matches Pattern (a regular expression) to Into.
	Merge []Merge `json:"merge,omitempty"`
	// MinCount drops the classes with fewer items than this (after merging); 0 keeps all.
	MinCount int `json:"min_count,omitempty"`
	// Ignore skips folders whose name matches one of these glob patterns (path.Match).
	Ignore []string `json:"ignore,omitempty"`
}

// Merge is one class-merging rule.
type Merge struct {
	Pattern string `json:"pattern,omitempty"`
	Into    string `json:"into,omitempty"`
}

// DefaultKeywords are the ten target words of the classic Speech Commands task.
func DefaultKeywords() []string {
	return []string{"yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"}
}
