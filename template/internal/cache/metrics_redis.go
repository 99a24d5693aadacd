package cache

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// watchRedis returns the observer of what only a cache in Redis does, and
// exports the statistics of its connection pool, so that an exhausted pool
// shows before reads time out.
func (c *cacheMetrics) watchRedis(client *redis.Client) redisObserver {
	labels := prometheus.Labels{"cache": c.name}
	register(c.reg, &poolCollector{client: client, labels: labels})
	return &redisMetrics{
		errors: register(c.reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cache_errors_total",
			Help: "Failed operations on the cache's Redis; the reads they served went to the loader.",
		}, []string{"cache", "operation"})).MustCurryWith(labels),
		up: register(c.reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "cache_backend_up",
			Help: "1 while the cache's Redis answers, 0 while reads bypass it.",
		}, []string{"cache"})).With(labels),
	}
}

type redisMetrics struct {
	errors *prometheus.CounterVec
	up     prometheus.Gauge
}

func (m *redisMetrics) failed(op string) {
	m.errors.WithLabelValues(op).Inc()
}

func (m *redisMetrics) backendUp(up bool) {
	v := 0.0
	if up {
		v = 1
	}
	m.up.Set(v)
}

// poolCollector reads go-redis's pool statistics at each scrape.
type poolCollector struct {
	client *redis.Client
	labels prometheus.Labels
}

func (p *poolCollector) descs() (conns, idle, hits, misses, timeouts *prometheus.Desc) {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("cache_redis_pool_"+name, help, nil, p.labels)
	}
	return d("connections", "Connections to Redis in the pool, idle or in use."),
		d("idle_connections", "Idle connections to Redis in the pool."),
		d("hits_total", "Times a free connection was found in the pool."),
		d("misses_total", "Times no free connection was in the pool and a new one was opened."),
		d("timeouts_total", "Times a call gave up waiting for a connection of the pool.")
}

func (p *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	conns, idle, hits, misses, timeouts := p.descs()
	for _, d := range []*prometheus.Desc{conns, idle, hits, misses, timeouts} {
		ch <- d
	}
}

func (p *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := p.client.PoolStats()
	conns, idle, hits, misses, timeouts := p.descs()
	ch <- prometheus.MustNewConstMetric(conns, prometheus.GaugeValue, float64(s.TotalConns))
	ch <- prometheus.MustNewConstMetric(idle, prometheus.GaugeValue, float64(s.IdleConns))
	ch <- prometheus.MustNewConstMetric(hits, prometheus.CounterValue, float64(s.Hits))
	ch <- prometheus.MustNewConstMetric(misses, prometheus.CounterValue, float64(s.Misses))
	ch <- prometheus.MustNewConstMetric(timeouts, prometheus.CounterValue, float64(s.Timeouts))
}
