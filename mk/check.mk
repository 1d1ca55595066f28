# mk/check.mk — benchmarks of `pgadmit check` (issue: core and check).
.PHONY: bench bench-check
$(BUILD)/bench/bare_parse: bench/check/bare_parse.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(LDLIBS)

bench-check: $(BIN) $(BUILD)/bench/bare_parse
	./bench/check/run.sh $(BIN) $(BUILD)/bench/bare_parse $(BUILD)/bench

# `make bench` runs every benchmark that prints figures.
bench: bench-check
