package cache

import (
	"os"
	"syscall"
)

// statOf extracts what the index compares. On Linux that includes the inode change time, which
// every write, truncate, rename and chmod sets to the current time and no user call can set
// back, so restoring a modification time with touch -d does not hide a rewrite.
func statOf(fi os.FileInfo) fileStat {
	st := fileStat{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	if s, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.dev, st.ino = uint64(s.Dev), s.Ino
		st.ctime = s.Ctim.Sec*1e9 + s.Ctim.Nsec
	}
	return st
}
