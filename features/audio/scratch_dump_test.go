package audio

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sbinet/npyio"
)

func TestScratchDump(t *testing.T) {
	dir := os.Getenv("DUMP_DIR")
	if dir == "" {
		t.Skip()
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, p := range files {
		if filepath.Ext(p) == ".npy" || filepath.Ext(p) == ".wav" && os.Getenv("DUMP_WAV") == "" {
			continue
		}
		c, err := Load(p)
		if err != nil {
			t.Logf("%s: %v", p, err)
			continue
		}
		pi, _ := Probe(p)
		t.Logf("%s: %+v probe %+v", filepath.Base(p), c.Info, pi)
		f, _ := os.Create(p + ".go.npy")
		npyio.Write(f, c.Data)
		f.Close()
	}
}
