//! What a failed command sends to the window: one type with the tray process
//! (`flex_core::command_error`), since host commands answer over the window channel.

pub(crate) use flex_core::command_error::CommandError;
