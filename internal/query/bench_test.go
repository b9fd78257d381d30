package query

import "testing"

// Benchmarks of what runs once per item over up to a million items: building a row, matching
// it, indexing it, shaping it.
//
//	go test -run '^$' -bench . -benchmem ./internal/query/

func benchItems() []*Item { return dataset() }

// BenchmarkScanTopLevel is a scan with a WHERE clause on top-level properties: the
// configuration is never decoded.
func BenchmarkScanTopLevel(b *testing.B) {
	benchScan(b, "SELECT resourceId WHERE resourceType = 'AWS::EC2::Instance' AND awsRegion IN ('us-east-1', 'us-west-2')")
}

// BenchmarkScanConfiguration decodes every item's configuration and tests several properties.
func BenchmarkScanConfiguration(b *testing.B) {
	benchScan(b, "SELECT resourceId WHERE configuration.ipPermissions.ipRanges = '10.0.0.5' OR configuration.size > 50 OR configuration.state.name LIKE 'run%'")
}

func benchScan(b *testing.B, expr string) {
	q, err := Parse(expr)
	if err != nil {
		b.Fatal(err)
	}
	items := benchItems()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		it := items[i%len(items)]
		Match(q.Where, NewDoc(it))
	}
}

func BenchmarkMatchDecoded(b *testing.B) {
	q, _ := Parse("SELECT resourceId WHERE configuration.ipPermissions.ipRanges = '10.0.0.5' OR configuration.size > 50 OR tags.tag = 'env=prod'")
	items := benchItems()
	docs := make([]*Doc, len(items))
	for i, it := range items {
		docs[i] = NewDoc(it)
		Match(q.Where, docs[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Match(q.Where, docs[i%len(docs)])
	}
}

func BenchmarkEntries(b *testing.B) {
	items := benchItems()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Entries(NewDoc(items[i%len(items)]))
	}
}

func BenchmarkProject(b *testing.B) {
	q, _ := Parse("SELECT resourceId, resourceType, configuration.instanceType, configuration.placement.tenancy, tags")
	items := benchItems()
	docs := make([]*Doc, len(items))
	for i, it := range items {
		docs[i] = NewDoc(it)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Project(q, docs[i%len(docs)])
	}
}
