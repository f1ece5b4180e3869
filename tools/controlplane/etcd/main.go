// Command etcd is upstream etcd's entry point, unchanged: etcdmain.Main parses
// the same flags and environment as the released binary.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
