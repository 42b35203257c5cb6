#pragma once
// The `ranvier` subcommands. Each takes the arguments after its name and returns the exit code.

namespace ranvier::app {

int run_init(int argc, char** argv);
int run_serve(int argc, char** argv);
int run_register_user(int argc, char** argv);
int run_registration_token(int argc, char** argv);
int run_coverage(int argc, char** argv);
int run_admin(int argc, char** argv);
int run_doctor(int argc, char** argv);
int run_migrate_db(int argc, char** argv);
int run_backup(int argc, char** argv);
int run_restore(int argc, char** argv);

}  // namespace ranvier::app
