package io.sequent.broker;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.agrona.concurrent.status.CountersReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The broker's metrics for operators: a Prometheus text endpoint ({@code http://metrics.host:metrics.port/metrics},
 * served by the Prometheus client library's {@link HTTPServer} from {@link BrokerMetrics}) when
 * {@code metrics.port} is set, and always a JMX MBean {@code io.sequent:type=Broker,name=Counters,dir=...} whose
 * attributes are the counters of the counters file, by their Prometheus names.
 *
 * <p>Threads: the HTTP server runs on one daemon thread ({@code sequent-metrics}) that waits on its socket; a
 * scrape and a JMX read build their answer on the caller's thread. Neither touches a hot path.
 */
final class MetricsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);

    private final HTTPServer http;
    private final ExecutorService executor;
    private final ObjectName mbeanName;

    private MetricsServer(final HTTPServer http, final ExecutorService executor, final ObjectName mbeanName) {
        this.http = http;
        this.executor = executor;
        this.mbeanName = mbeanName;
    }

    /**
     * Registers the MBean and, with {@code port >= 0}, starts the HTTP endpoint.
     *
     * @throws BrokerException when the port cannot be bound.
     */
    static MetricsServer start(
        final BrokerMetrics metrics, final CountersReader counters, final String host, final int port,
        final String instance) {
        final ObjectName name = registerMBean(counters, instance);
        if (port < 0) {
            return new MetricsServer(null, null, name);
        }
        final PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(metrics);
        final ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
            final Thread thread = new Thread(runnable, "sequent-metrics");
            thread.setDaemon(true);
            return thread;
        });
        try {
            final HTTPServer http = HTTPServer.builder().hostname(host).port(port).registry(registry)
                .executorService(executor).buildAndStart();
            LOG.info("metrics on http://{}:{}/metrics", host, http.getPort());
            return new MetricsServer(http, executor, name);
        } catch (final IOException | RuntimeException ex) {
            executor.shutdownNow();
            unregister(name);
            throw new BrokerException(io.sequent.codec.client.ErrorCode.INVALID_CONFIG, "cannot serve metrics on " +
                host + ":" + port + " (" + BrokerContext.METRICS_PORT_PROP + "): " + ex, ex);
        }
    }

    /** The bound port of the HTTP endpoint, or -1 without one. */
    int port() {
        return null == http ? -1 : http.getPort();
    }

    ObjectName mbeanName() {
        return mbeanName;
    }

    @Override
    public void close() {
        if (null != http) {
            http.close();
            executor.shutdownNow();
        }
        unregister(mbeanName);
    }

    private static ObjectName registerMBean(final CountersReader counters, final String instance) {
        try {
            final ObjectName name = new ObjectName("io.sequent:type=Broker,name=Counters,dir=" +
                ObjectName.quote(instance));
            final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(new CountersMBean(counters), name);
            return name;
        } catch (final JMException ex) {
            LOG.warn("cannot register the counters MBean: {}", ex.toString());
            return null;
        }
    }

    private static void unregister(final ObjectName name) {
        if (null == name) {
            return;
        }
        try {
            final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
        } catch (final JMException ex) {
            LOG.debug("cannot unregister {}: {}", name, ex.toString());
        }
    }

    /** Read-only attributes, one per counter, named as {@link BrokerMetrics#counters} names them. */
    static final class CountersMBean implements DynamicMBean {
        private final CountersReader counters;

        CountersMBean(final CountersReader counters) {
            this.counters = counters;
        }

        private Map<String, Long> values() {
            final Map<String, Long> values = new LinkedHashMap<>();
            for (final BrokerMetrics.Counter counter : BrokerMetrics.counters(counters)) {
                values.put(null == counter.code() ? counter.name() : counter.name() + "_" + counter.code(),
                    counter.value());
            }
            return values;
        }

        @Override
        public Object getAttribute(final String attribute) throws AttributeNotFoundException {
            final Long value = values().get(attribute);
            if (null == value) {
                throw new AttributeNotFoundException(attribute);
            }
            return value;
        }

        @Override
        public void setAttribute(final Attribute attribute) throws AttributeNotFoundException {
            throw new AttributeNotFoundException("read-only: " + attribute.getName());
        }

        @Override
        public AttributeList getAttributes(final String[] attributes) {
            final Map<String, Long> values = values();
            final AttributeList list = new AttributeList();
            for (final String attribute : attributes) {
                final Long value = values.get(attribute);
                if (null != value) {
                    list.add(new Attribute(attribute, value));
                }
            }
            return list;
        }

        @Override
        public AttributeList setAttributes(final AttributeList attributes) {
            return new AttributeList();
        }

        @Override
        public Object invoke(final String actionName, final Object[] params, final String[] signature) {
            throw new UnsupportedOperationException("no operations");
        }

        @Override
        public MBeanInfo getMBeanInfo() {
            final List<MBeanAttributeInfo> attributes = new ArrayList<>();
            for (final String name : values().keySet()) {
                attributes.add(new MBeanAttributeInfo(name, "long", name, true, false, false));
            }
            return new MBeanInfo(CountersMBean.class.getName(), "the Sequent broker's counters",
                attributes.toArray(new MBeanAttributeInfo[0]), null, null, null);
        }
    }
}
