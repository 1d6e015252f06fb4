// Package common holds what every workbench pane shares: the Component interface, the Common
// struct passed by pointer (styles, keys, logger, context, size, engine handles), the styles
// built for one colour profile, the global key map and the messages panes send each other.
package common
