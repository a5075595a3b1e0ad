//! The gate's last phase: the report files, then the summary with the exit code they leave.

use crate::history::Record;
use crate::render::{self, Outputs};
use crate::report::{Report, report_file_name, run_so_far};
use crate::verdict::GateCode;

use super::actions::Stopped;
use super::setup::Setup;

/// Writes the reports, prints the summary and returns the exit code. The files are written
/// first, so that the printed gate line is the exit code: a report that cannot be written makes
/// the run exit 4, and the summary says so.
///
/// Under GitHub Actions, workflow commands were switched off for the run (`commands`): they are
/// switched back on only for perfgate's annotations.
pub fn finish(
    setup: &Setup,
    mut report: Report,
    history: &[Record],
    commands: Option<Stopped>,
) -> u8 {
    let settings = &setup.settings;
    let names: Vec<&str> = report.operations.iter().map(|o| o.op.as_str()).collect();
    let per_process = std::env::var_os("NEXTEST").is_some();
    let file_name = report_file_name(&names, per_process);
    let outputs = Outputs {
        junit: settings.junit.clone(),
        bmf: settings.bmf.clone(),
        ..Outputs::from_env(|key| std::env::var(key).ok())
    };
    let mut annotations = Vec::new();
    let written = report
        .write(&settings.output_dir, &file_name)
        .map_err(|error| {
            format!(
                "cannot write the report into {}: {error}",
                settings.output_dir.display()
            )
        })
        .and_then(|path| {
            let mut others = render::write_all(
                &report,
                history,
                &settings.output_dir,
                &outputs,
                &mut annotations,
            )
            .map_err(|error| format!("cannot write the reports: {error}"))?;
            others.insert(0, path);
            if let Some(name) = &settings.save_baseline {
                others.push(report.save_as_baseline(&settings.output_dir, name)?);
            }
            // Each operation a process of its own: report.html shows the run so far, every
            // process's report merged, not only this process's operation.
            if per_process && let Some(run) = run_so_far(&settings.output_dir, &report.run_id) {
                render::write_html(&run, history, &settings.output_dir)
                    .map_err(|error| format!("cannot write the reports: {error}"))?;
            }
            Ok(others)
        });
    match written {
        Ok(paths) => {
            print!("{}", render::summary(&report, settings.verbose));
            for path in paths {
                println!("Report: {}", path.display());
            }
            if let Some(commands) = commands {
                commands.resume();
            }
            print!("{}", String::from_utf8_lossy(&annotations));
            report.exit_code()
        }
        Err(error) => {
            report.gate = GateCode::Error;
            report.exit = None;
            report.warnings.push(error.clone());
            print!("{}", render::summary(&report, settings.verbose));
            if let Some(commands) = commands {
                commands.resume();
            }
            eprintln!("perfgate: error: {error}");
            GateCode::Error as u8
        }
    }
}
