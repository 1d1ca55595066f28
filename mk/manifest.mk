# mk/manifest.mk — benchmark of the YAML/JSON loader alone (src/manifest).
# The bare libyaml parse ($(BUILD)/bench/bare_parse) and the bundle generator
# are the ones of mk/check.mk, so both benchmarks read the same files.
.PHONY: bench-manifest
$(BUILD)/bench/load_bench: bench/manifest/load_bench.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

bench-manifest: $(BUILD)/bench/load_bench $(BUILD)/bench/bare_parse
	./bench/manifest/run.sh $(BUILD)/bench/load_bench $(BUILD)/bench/bare_parse $(BUILD)/bench

bench: bench-manifest
