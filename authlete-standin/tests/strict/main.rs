//! The stand-in is strict where Authlete is: each test drives it through `authlete::Client`,
//! as an authorization server would, and checks a refusal or a behaviour Authlete has.
//! Time is the stand-in's manual clock: no test sleeps.

mod authorization;
mod binding;
mod ciba_modes;
mod polling;
mod support;
mod token;
