package dev.berth.config;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The {@code log} section as Quarkus log settings: the text format with an RFC 3339 time and zone,
 * the JSON format with Distribution's keys ({@code time}, {@code level}, {@code msg}) and level names, and
 * {@code log.fields} on every line of either.
 */
final class LogSettings {
    /** RFC 3339 with milliseconds and the zone offset (Z in UTC). */
    static final String TEXT_FORMAT_START = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5p [%c{2.}] %s";
    static final String TEXT_FORMAT_END = "%e%n";

    private LogSettings() {
    }

    static void apply(OptionReader config, Map<String, String> props) {
        Map<String, String> fields = new TreeMap<>();
        OptionReader section = config.section("log.fields");
        section.keys().forEach(name -> fields.put(name, section.string(name, "")));
        String formatter = config.string("log.formatter", "text");
        boolean json = !formatter.equals("text");
        boolean caller = config.bool("log.reportcaller", false);
        props.put("quarkus.log.console.json.enabled", Boolean.toString(json));
        if (json) {
            props.put("quarkus.log.console.json.key-overrides", "timestamp=time,message=msg");
            // dev.berth.logging.LogrusLevels: level names as logrus writes them (named, not imported: logging depends on config)
            props.put("quarkus.log.console.filter", "logrus-levels");
            // the source class, method, file and line, where logrus writes func and file
            props.put("quarkus.log.console.json.print-details", Boolean.toString(caller));
            fields.forEach((name, value) -> props.put("quarkus.log.console.json.additional-field.\"" + name + "\".value", value));
        } else {
            // logrus' text formatter puts fields after the message, as key=value
            String text = fields.entrySet().stream().map(f -> " " + f.getKey() + "=" + quote(f.getValue())).collect(Collectors.joining());
            // logrus' reportcaller fields; %C, %M, %F and %L are worked out per line, so only with the option
            String source = caller ? " func=%C.%M file=%F:%L" : "";
            props.put("quarkus.log.console.format", TEXT_FORMAT_START + text.replace("%", "%%") + source + TEXT_FORMAT_END);
        }
    }

    private static String quote(String value) {
        return value.isEmpty() || value.chars().anyMatch(c -> c <= ' ' || c == '"' || c == '=') ? "\"" + value.replace("\"", "\\\"") + "\"" : value;
    }
}
