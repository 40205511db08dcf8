#!/usr/bin/env Rscript
# Export the public example data sets shipped with R's `datasets` package.
#
# Run from the repository root:   Rscript data/export_r_datasets.R
# (Debian/Ubuntu: apt-get install -y r-base-core)
#
# - islands.csv  (name, area): areas of the 48 land masses exceeding 10,000 sq. miles,
#   in thousands of square miles (R `islands`; The World Almanac and Book of Facts, 1975).
# - lynx.csv     (year, trappings): annual numbers of Canadian lynx trapped, 1821-1934
#   (R `lynx`; Brockwell & Davis 1991, after Campbell & Walker 1977).
# - faithful.csv (eruptions, waiting): 272 Old Faithful geyser eruptions, duration and
#   waiting time to the next eruption, in minutes (R `faithful`; Härdle 1991).
# Values are written exactly as R stores them (all are short decimals).

out <- function(df, name) {
  write.csv(df, file.path("data", name), row.names = FALSE, quote = FALSE)
}
out(data.frame(name = names(islands), area = unname(islands)), "islands.csv")
out(data.frame(year = as.integer(time(lynx)), trappings = as.integer(lynx)), "lynx.csv")
out(faithful, "faithful.csv")
