package storage

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Collector exports the statistics of the connection pool (go_sql_*, with a
// db_name label), so that pool exhaustion shows before requests time out.
func (db *DB) Collector(name string) prometheus.Collector {
	return collectors.NewDBStatsCollector(db.sql, name)
}
