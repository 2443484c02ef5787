package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.internal.drift.NumericBins;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

class DriftReportHtmlTest {
    private static final String XHTML = "http://www.w3.org/1999/xhtml";
    private static final String SVG = "http://www.w3.org/2000/svg";

    @Test
    @DisplayName("Seattle winter against summer: one section and one chart per column, the numbers, no script or URL")
    void seattleWinterSummer() throws Exception {
        List<String[]> rows = DriftData.seattle();
        List<String[]> winter = rows.stream().filter(r -> Set.of("12", "01", "02").contains(r[0].substring(5, 7)))
                .toList();
        List<String[]> summer = rows.stream().filter(r -> Set.of("06", "07", "08").contains(r[0].substring(5, 7)))
                .toList();
        Map<String, ColumnValues> ref = DriftData.seattleColumns(winter);
        Map<String, ColumnValues> cur = DriftData.seattleColumns(summer);
        DriftReport report = DriftAnalyzer.builder().methods("all").build().analyze(ref, cur);
        String html = DriftReportHtml.toHtml(report, ref, cur, "winter vs summer");
        Document doc = parse(html);

        assertSelfContained(doc, html);
        Element summary = sections(doc, "summary").get(0);
        String summaryText = summary.getTextContent();
        assertThat(summaryText).contains(Long.toString(winter.size()), Long.toString(summer.size()),
                report.driftedColumns() + " of " + report.decidedColumns() + " decided",
                num(report.driftShare().getAsDouble()), "Dataset drift: YES");
        for (QualityCheck c : report.checks()) {
            assertThat(summaryText).contains(c.kind().id(), c.message());
        }

        List<Element> columns = sections(doc, "column");
        assertThat(columns).hasSize(report.columns().size()).hasSize(5);
        for (int i = 0; i < columns.size(); i++) {
            Element s = columns.get(i);
            ColumnReport c = report.columns().get(i);
            assertThat(text(s, "h2")).startsWith(c.name());
            assertThat(s.getElementsByTagNameNS(SVG, "svg").getLength()).isEqualTo(1);
            String t = s.getTextContent();
            Decision d = c.decision().orElseThrow();
            assertThat(t).contains(d.reason(), num(d.pValue().getAsDouble()), num(d.effectSize().getAsDouble()),
                    num(d.threshold()), d.method().id(), d.effect().id());
            for (MethodResult m : c.results()) {
                assertThat(t).contains(m.method().id());
                m.statistic().ifPresent(v -> assertThat(t).contains(num(v)));
            }
            assertThat(s.getAttribute("class")).isEqualTo(c.drift() ? "column drift" : "column ok");
            // the bins table: the reference's bins, counts of both sides
            long[][] counts = binCounts(s);
            if (c.type().orElseThrow() == ColumnType.NUMERIC) {
                double[] sorted = ref.get(c.name()).numbers().clone();
                Arrays.sort(sorted);
                NumericBins bins = NumericBins.fit(sorted);
                assertThat(counts[0]).containsExactly(bins.counts(ref.get(c.name()).numbers()));
                assertThat(counts[1]).containsExactly(bins.counts(cur.get(c.name()).numbers()));
                // bars: two per bin
                assertThat(s.getElementsByTagNameNS(SVG, "rect").getLength()).isEqualTo(2 * bins.size());
            } else {
                assertThat(Arrays.stream(counts[0]).sum()).isEqualTo(winter.size());
                assertThat(Arrays.stream(counts[1]).sum()).isEqualTo(summer.size());
                assertThat(t).contains("rain", "sun");
            }
        }
    }

    @Test
    @DisplayName("hostile column names and categories are escaped; errors and skipped columns have no chart")
    void escapesUserText() throws Exception {
        String hostile = "<img src=x onerror=alert(1)>";
        String category = "\"'&<script>alert(2)</script>";
        SplittableRandom rnd = new SplittableRandom(7);
        Map<String, ColumnValues> ref = new LinkedHashMap<>();
        Map<String, ColumnValues> cur = new LinkedHashMap<>();
        ref.put(hostile, ColumnValues.numeric(rnd.doubles(200).toArray(), 0));
        cur.put(hostile, ColumnValues.numeric(rnd.doubles(200).map(x -> x + 0.5).toArray(), 3));
        String[] a = new String[200]; // every column of one side has as many rows
        String[] b = new String[203];
        for (int i = 0; i < b.length; i++) {
            if (i < a.length) {
                a[i] = i % 3 == 0 ? category : "plain";
            }
            b[i] = i % 2 == 0 ? category : "plain";
        }
        ref.put("cat&<egory>", ColumnValues.categorical(a, 0));
        cur.put("cat&<egory>", ColumnValues.categorical(b, 0));
        ref.put("changes type", ColumnValues.numeric(rnd.doubles(200).toArray(), 0));
        String[] letters = new String[203];
        Arrays.fill(letters, "x");
        cur.put("changes type", ColumnValues.categorical(letters, 0));
        ref.put("only <ref>", ColumnValues.numeric(rnd.doubles(200).toArray(), 0));
        DriftReport report = DriftAnalyzer.builder().build().analyze(ref, cur);
        String html = DriftReportHtml.toHtml(report, ref, cur, "a <title> & \"more\"");

        assertThat(html).doesNotContain("<img", "<script", "alert(2)</");
        Document doc = parse(html);
        assertSelfContained(doc, html);
        assertThat(doc.getElementsByTagNameNS(XHTML, "img").getLength()).isZero();
        assertThat(doc.getElementsByTagNameNS(XHTML, "title").item(0).getTextContent())
                .isEqualTo("a <title> & \"more\"");
        List<Element> columns = sections(doc, "column");
        assertThat(columns).hasSize(report.columns().size());
        Element first = columns.get(0);
        assertThat(text(first, "code")).isEqualTo(hostile);
        assertThat(first.getElementsByTagNameNS(SVG, "svg").getLength()).isEqualTo(1);
        Element cat = columns.stream().filter(e -> text(e, "code").equals("cat&<egory>")).findFirst().orElseThrow();
        assertThat(cat.getElementsByTagNameNS(SVG, "svg").getLength()).isEqualTo(1);
        assertThat(cat.getTextContent()).contains(category, "per category");
        assertThat(first.getTextContent()).contains("per bin");
        // bin edges of random doubles are shown to 6 significant digits
        NodeList cells = binsTable(first).getElementsByTagNameNS(XHTML, "td");
        int labels = 0;
        for (int i = 0; i < cells.getLength(); i += 3) {
            String label = cells.item(i).getTextContent();
            assertThat(label).matches("[<>\\[(].*");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\d+(\\.\\d+)?").matcher(label);
            while (m.find()) {
                assertThat(m.group().replace(".", "").replaceFirst("^0+", "")).as(label).hasSizeLessThanOrEqualTo(6);
            }
            labels++;
        }
        assertThat(labels).isEqualTo(12); // ten deciles' intervals and the bins below and above

        long[][] counts = binCounts(cat);
        assertThat(counts[0]).containsExactlyInAnyOrder(67, 133);
        assertThat(counts[1]).containsExactlyInAnyOrder(102, 101);
        Element changed = columns.stream().filter(e -> text(e, "code").equals("changes type")).findFirst()
                .orElseThrow();
        assertThat(changed.getAttribute("class")).isEqualTo("column error");
        assertThat(changed.getElementsByTagNameNS(SVG, "svg").getLength()).isZero();
        assertThat(changed.getTextContent()).contains("type changed");
        assertThat(doc.getDocumentElement().getTextContent()).contains("only <ref>");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    @DisplayName("random categorical columns: at most MAX_CATEGORIES bars, counts sum to the values on each side")
    void manyCategories(long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        int kinds = 1 + rnd.nextInt(80);
        String[] a = new String[50 + rnd.nextInt(500)];
        String[] b = new String[50 + rnd.nextInt(500)];
        for (int i = 0; i < a.length; i++) {
            a[i] = "c" + rnd.nextInt(kinds);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = "c" + rnd.nextInt(kinds + 5);
        }
        Map<String, ColumnValues> ref = Map.of("k", ColumnValues.categorical(a, 0));
        Map<String, ColumnValues> cur = Map.of("k", ColumnValues.categorical(b, 2));
        DriftReport report = DriftAnalyzer.builder().build().analyze(ref, cur);
        Document doc = parse(DriftReportHtml.toHtml(report, ref, cur, "t"));
        Element s = sections(doc, "column").get(0);
        long[][] counts = binCounts(s);
        Set<String> distinct = new HashSet<>(Arrays.asList(a));
        distinct.addAll(Arrays.asList(b));
        assertThat(counts[0]).hasSize(Math.min(distinct.size(), DriftReportHtml.MAX_CATEGORIES));
        assertThat(Arrays.stream(counts[0]).sum()).isEqualTo(a.length);
        assertThat(Arrays.stream(counts[1]).sum()).isEqualTo(b.length);
        assertThat(s.getElementsByTagNameNS(SVG, "rect").getLength()).isEqualTo(2 * counts[0].length);
        if (distinct.size() > DriftReportHtml.MAX_CATEGORIES) {
            assertThat(s.getTextContent()).contains((distinct.size() - DriftReportHtml.MAX_CATEGORIES + 1)
                    + " other categories");
        }
    }

    private static Document parse(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setValidating(false);
        f.setExpandEntityReferences(false);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        DocumentBuilder b = f.newDocumentBuilder();
        b.setErrorHandler(null);
        return b.parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    }

    /** No script, no event handler, no reference to anything outside the page. */
    private static void assertSelfContained(Document doc, String html) {
        assertThat(doc.getElementsByTagName("script").getLength()).isZero();
        assertThat(doc.getElementsByTagNameNS("*", "script").getLength()).isZero();
        assertThat(doc.getElementsByTagNameNS("*", "link").getLength()).isZero();
        assertThat(doc.getElementsByTagNameNS("*", "img").getLength()).isZero();
        assertThat(doc.getElementsByTagNameNS("*", "iframe").getLength()).isZero();
        NodeList all = doc.getElementsByTagNameNS("*", "*");
        for (int i = 0; i < all.getLength(); i++) {
            NamedNodeMap attrs = all.item(i).getAttributes();
            for (int j = 0; j < attrs.getLength(); j++) {
                Attr at = (Attr) attrs.item(j);
                if ("http://www.w3.org/2000/xmlns/".equals(at.getNamespaceURI())) {
                    continue; // namespace names are not fetched
                }
                assertThat(at.getName().toLowerCase(Locale.ROOT)).doesNotStartWith("on")
                        .isNotIn("src", "href", "xlink:href", "action");
                assertThat(at.getValue()).doesNotContain("://", "url(", "javascript:");
            }
        }
        String css = doc.getElementsByTagNameNS(XHTML, "style").item(0).getTextContent();
        assertThat(css).doesNotContain("url(", "@import", "://");
        String withoutNamespaces = html.replace("xmlns=\"" + XHTML + "\"", "").replace("xmlns=\"" + SVG + "\"", "");
        assertThat(withoutNamespaces).doesNotContain("http://", "https://");
    }

    private static List<Element> sections(Document doc, String cls) {
        List<Element> out = new ArrayList<>();
        NodeList l = doc.getElementsByTagNameNS(XHTML, "section");
        for (int i = 0; i < l.getLength(); i++) {
            Element e = (Element) l.item(i);
            if (Arrays.asList(e.getAttribute("class").split(" ")).contains(cls)) {
                out.add(e);
            }
        }
        return out;
    }

    private static String text(Element e, String tag) {
        return e.getElementsByTagNameNS(XHTML, tag).item(0).getTextContent();
    }

    /** The reference and current counts of the section's bins table (each cell "count (share)"). */
    private static long[][] binCounts(Element section) {
        Element table = binsTable(section);
        NodeList trs = table.getElementsByTagNameNS(XHTML, "tr");
        long[][] out = new long[2][trs.getLength() - 1];
        for (int i = 1; i < trs.getLength(); i++) {
            NodeList tds = ((Element) trs.item(i)).getElementsByTagNameNS(XHTML, "td");
            for (int side = 0; side < 2; side++) {
                Node td = tds.item(side + 1);
                out[side][i - 1] = Long.parseLong(td.getTextContent().split(" ")[0]);
            }
        }
        return out;
    }

    private static Element binsTable(Element section) {
        Element table = null;
        NodeList tables = section.getElementsByTagNameNS(XHTML, "table");
        for (int i = 0; i < tables.getLength(); i++) {
            if (((Element) tables.item(i)).getAttribute("class").equals("bins")) {
                table = (Element) tables.item(i);
            }
        }
        assertThat(table).as("bins table").isNotNull();
        return table;
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
