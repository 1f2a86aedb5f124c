package io.acqswitch.bench.load;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.text.DecimalFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTitleAnnotation;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The soak's chart: one PNG, panels stacked over a shared time axis (latency on a log scale,
 * throughput and errors, heap, GC, descriptors and journal backlog, store records, disk). Stateless.
 */
final class SoakChart {
    private static final int WIDTH = 1200;
    private static final int PANEL_HEIGHT = 200;
    /** Dark, distinct colours: JFreeChart's default palette includes yellow and cyan. */
    private static final Color[] COLOURS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c)};

    private SoakChart() {}

    /** One line of a panel: its legend and what it plots. */
    private record Line(String name, ToDoubleFunction<SoakSample> value) {}

    /** @throws IOException when the file cannot be written */
    static void write(Path png, String title, List<SoakSample> samples) throws IOException {
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(new NumberAxis("seconds since the first request"));
        plot.setGap(8);
        plot.add(panel(samples, latencyAxis(), new Line("p50 ms", SoakSample::p50), new Line("p99 ms", SoakSample::p99),
                new Line("max ms", SoakSample::max)));
        plot.add(panel(samples, new NumberAxis("per interval"), new Line("achieved TPS", SoakSample::achievedTps),
                new Line("errors", SoakSample::errors), new Line("not 00", SoakSample::notApproved)));
        plot.add(panel(samples, new NumberAxis("heap MB"), new Line("heap used", SoakSample::heapUsedMb),
                new Line("heap after last GC", SoakSample::heapAfterGcMb)));
        plot.add(panel(samples, new NumberAxis("GC per interval"), new Line("GC ms", SoakSample::gcMillis),
                new Line("collections", SoakSample::gcCount)));
        plot.add(panel(samples, new NumberAxis("open fds"), new Line("open file descriptors", SoakSample::fds)));
        plot.add(panel(samples, new NumberAxis("load average"), new Line("machine's 1-min load (2 cores, shared)",
                SoakSample::load1)));
        plot.add(panel(samples, new NumberAxis("journal backlog"), new Line("journal backlog (changes)",
                SoakSample::journalBacklog)));
        plot.add(panel(samples, new NumberAxis("store records"), new Line("store records", SoakSample::storeRecords)));
        plot.add(panel(samples, new NumberAxis("disk MB"), new Line("store", SoakSample::storeDiskMb),
                new Line("journal", SoakSample::journalDiskMb)));
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, PANEL_HEIGHT * plot.getSubplots().size() + 120);
    }

    private static ValueAxis latencyAxis() {
        LogAxis axis = new LogAxis("latency ms (log)");
        axis.setSmallestValue(0.01);
        axis.setTickUnit(new NumberTickUnit(1)); // one tick per power of ten
        axis.setNumberFormatOverride(new DecimalFormat("0.##"));
        return axis;
    }

    private static XYPlot panel(List<SoakSample> samples, ValueAxis axis, Line... lines) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Line l : lines) {
            XYSeries series = new XYSeries(l.name(), false, true);
            for (SoakSample s : samples) {
                double v = l.value().applyAsDouble(s);
                if (!(axis instanceof LogAxis) || v > 0) {
                    series.add(s.elapsedSeconds(), v);
                }
            }
            data.addSeries(series);
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < lines.length; i++) {
            renderer.setSeriesStroke(i, new BasicStroke(1.5f));
            renderer.setSeriesPaint(i, COLOURS[i % COLOURS.length]);
        }
        if (axis instanceof NumberAxis n) {
            n.setAutoRangeIncludesZero(true);
        }
        XYPlot plot = new XYPlot(data, null, axis, renderer);
        LegendTitle legend = new LegendTitle(plot); // each panel its own legend: colours repeat across panels
        legend.setBackgroundPaint(new Color(255, 255, 255, 200));
        plot.addAnnotation(new XYTitleAnnotation(0.99, 0.98, legend, RectangleAnchor.TOP_RIGHT));
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }
}
