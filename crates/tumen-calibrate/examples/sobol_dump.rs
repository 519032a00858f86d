//! Writes a Saltelli design on the Ishigami function (a = 7, b = 0.1), its outputs and Tumen's
//! Sobol indices, for `scripts/salib-check` to recompute with SALib from the same numbers.
//!
//! `cargo run -p tumen-calibrate --example sobol_dump --release -- DIR [N] [SEED]` writes
//! `DIR/samples.csv` (`x1,x2,x3`, N·5 rows in SALib's order), `DIR/outputs.csv` (`y`) and
//! `DIR/sobol.csv` (Tumen's indices with 95 % bootstrap intervals).

use std::error::Error;
use std::f64::consts::PI;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use tumen_calibrate::params::{Parameter, ParameterSet, Prior};
use tumen_calibrate::sobol::{saltelli_sample, sobol_analyze, write_sobol_csv};

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or("usage: sobol_dump DIR [N] [SEED]")?);
    let base: usize = args.next().map_or(Ok(1024), |s| s.parse())?;
    let seed: u32 = args.next().map_or(Ok(1), |s| s.parse())?;
    std::fs::create_dir_all(&dir)?;
    let prior = Prior::Uniform { low: -PI, high: PI };
    let params = ParameterSet::new(
        ["x1", "x2", "x3"]
            .iter()
            .map(|n| Parameter {
                name: (*n).into(),
                prior,
            })
            .collect(),
    )?;
    let design = saltelli_sample(&params, base, seed)?;
    let (a, b) = (7.0, 0.1);
    let outputs: Vec<f64> = design
        .points
        .iter()
        .map(|x| x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin())
        .collect();
    let mut samples = BufWriter::new(File::create(dir.join("samples.csv"))?);
    writeln!(samples, "x1,x2,x3")?;
    for x in &design.points {
        writeln!(samples, "{:?},{:?},{:?}", x[0], x[1], x[2])?;
    }
    samples.flush()?;
    let mut ys = BufWriter::new(File::create(dir.join("outputs.csv"))?);
    writeln!(ys, "y")?;
    for y in &outputs {
        writeln!(ys, "{y:?}")?;
    }
    ys.flush()?;
    let indices = sobol_analyze(&params, base, &outputs, 1000, u64::from(seed))?;
    write_sobol_csv(
        &[("ishigami".into(), indices)],
        BufWriter::new(File::create(dir.join("sobol.csv"))?),
    )?;
    Ok(())
}
