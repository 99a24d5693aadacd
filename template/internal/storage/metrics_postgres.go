package storage

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Collector exports the statistics of the connection pool under the names
// that client_golang gives database/sql pools (go_sql_*, with a db_name
// label), so that dashboards and alerts read the same on every engine.
func (db *DB) Collector(name string) prometheus.Collector {
	return &poolCollector{db: db, labels: prometheus.Labels{"db_name": name}}
}

type poolCollector struct {
	db     *DB
	labels prometheus.Labels
}

func (c *poolCollector) desc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc("go_sql_"+name, help, nil, c.labels)
}

// Describe sends nothing: the collector is unchecked, its metrics are fixed
// but described in Collect alone to keep one list.
func (c *poolCollector) Describe(chan<- *prometheus.Desc) {}

// Collect reads the pool's statistics once per scrape.
func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.db.pool.Stat()
	gauge := func(name, help string, v int32) {
		ch <- prometheus.MustNewConstMetric(c.desc(name, help), prometheus.GaugeValue, float64(v))
	}
	counter := func(name, help string, v float64) {
		ch <- prometheus.MustNewConstMetric(c.desc(name, help), prometheus.CounterValue, v)
	}
	gauge("max_open_connections", "Maximum number of open connections to the database.", s.MaxConns())
	gauge("open_connections", "The number of established connections both in use and idle.", s.TotalConns())
	gauge("in_use_connections", "The number of connections currently in use.", s.AcquiredConns())
	gauge("idle_connections", "The number of idle connections.", s.IdleConns())
	counter("wait_count_total", "The total number of connections waited for.", float64(s.EmptyAcquireCount()))
	counter("wait_duration_seconds_total", "The total time blocked waiting for a new connection.", s.EmptyAcquireWaitTime().Seconds())
	counter("max_idle_time_closed_total", "The total number of connections closed due to SetConnMaxIdleTime.", float64(s.MaxIdleDestroyCount()))
	counter("max_lifetime_closed_total", "The total number of connections closed due to SetConnMaxLifetime.", float64(s.MaxLifetimeDestroyCount()))
}
