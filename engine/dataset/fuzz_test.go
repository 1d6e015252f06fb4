package dataset

import (
	"bytes"
	"strings"
	"testing"
)

// The parsers of list, manifest and pair files must never panic and must report every bad line
// with a line number inside the file. Run one briefly with, for example:
//
//	go test ./engine/dataset -run '^$' -fuzz '^FuzzParseList$' -fuzztime 20s

func lineCount(data []byte) int { return bytes.Count(data, []byte("\n")) + 1 }

func checkProblems(t *testing.T, data []byte, problems []Problem) {
	t.Helper()
	for _, p := range problems {
		if p.Line < 0 || p.Line > lineCount(data) || p.Err == nil {
			t.Fatalf("problem %v outside the %d lines", p, lineCount(data))
		}
	}
	if len(problems) > maxProblemsPerFile+1 && len(problems) > lineCount(data)+1 {
		t.Fatalf("%d problems for %d lines", len(problems), lineCount(data))
	}
}

func FuzzParseList(f *testing.F) {
	for _, s := range []string{
		"yes/0a7c2a8d_nohash_0.wav\nno/0a7c2a8d_nohash_1.wav\n",
		"\ufeffbed/x.wav\r\n\r\n# comment\n/abs.wav\n../up.wav\nyes/../x.wav\nno-folder.wav\nyes\\x.wav\nyes/a b.wav\n",
		"\xff\xfe/x.wav\n" + strings.Repeat("a", maxLine+10) + "\nyes/ok.wav",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, problems := parseList(bytes.NewReader(data), "list.txt")
		checkProblems(t, data, problems)
		last := 0
		for _, e := range entries {
			if err := checkRelPath(e.Path); err != nil || e.Line <= last {
				t.Fatalf("entry %+v accepted (%v) after line %d", e, err, last)
			}
			last = e.Line
		}
	})
}

func fuzzManifest(t *testing.T, data []byte, name string) {
	m, problems := parseManifest(bytes.NewReader(data), name)
	checkProblems(t, data, problems)
	for _, r := range m.records {
		if r.Line < 1 || r.Line > lineCount(data) || len(r.Fields) > len(m.fields)+1 {
			t.Fatalf("record %+v for fields %v", r, m.fields)
		}
	}
	if cols, err := pickColumns(m.fields, ManifestSpec{}); err == nil {
		for _, r := range m.records {
			cols.item(r)
		}
	}
}

func FuzzParseCSVManifest(f *testing.F) {
	for _, s := range []string{
		"filename,genre,artist,valence\na.wav,rock,x,0.5\n",
		"\ufeffpath,label\n\"a,b.wav\",\"x\"\"y\"\nb.wav\n\"open,quote\n",
		"id,sarcasm\n1_60,true\n1_70,\n,false\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzManifest(t, data, "m.csv") })
}

func FuzzParseJSONManifest(f *testing.F) {
	for _, s := range []string{
		`{"1_60": {"speaker": "SHELDON", "context": ["a"], "sarcasm": true}, "1_70": 3}`,
		"[\n{\"path\": \"a.wav\", \"valence\": 0.5},\n{\"path\": null, \"id\": {\"x\": 1}}\n]",
		`[{"path": "a.wav",,}]`,
		`"just a string"`,
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzManifest(t, data, "m.json") })
}

func FuzzParsePairs(f *testing.F) {
	for _, s := range []string{
		"1100\nAaron_Peirsol\t1\t2\nAJ_Cook\t1\tMarsha_Thomason\t1\n",
		"10\t300\nA\t1\t2\nA\t1\tB\t2\nA\t0\t2\nA\t1\n",
		"a,b,label\na.wav,b.wav,same\na.wav,c.wav,different\nx.wav y.wav 1\n",
		"a.wav b.wav maybe\n\n#c\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pl, problems := parsePairs(bytes.NewReader(data), "pairs.txt")
		checkProblems(t, data, problems)
		for _, p := range pl.Lines {
			if pl.LFW && (p.NumA < 1 || p.NumB < 1 || lfwName(p.NameA) != nil || lfwName(p.NameB) != nil) {
				t.Fatalf("LFW line %+v accepted", p)
			}
			if !pl.LFW && (p.PathA == "" || p.PathB == "") {
				t.Fatalf("path line %+v accepted", p)
			}
		}
	})
}
